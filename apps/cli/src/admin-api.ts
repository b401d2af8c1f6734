/** Exit codes scripts can rely on (README "Operating"). */
export const ExitCode = {
  ok: 0,
  /** The server answered an error, or an import was refused or rolled back. */
  refused: 1,
  /** Bad arguments or input: nothing was sent. */
  usage: 2,
  /** The server could not be reached. */
  unreachable: 3,
} as const;

/** A failure with the one line to print and the exit code to end with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The admin API over HTTP (CONTRACT §4): the CLI's only way to the server. */
export class AdminApi {
  private readonly base: string;

  constructor(
    url: string,
    private readonly token: string,
  ) {
    this.base = url.replace(/\/+$/, '');
  }

  get<T>(path: string): Promise<T> {
    return this.send<T>('GET', path);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.send<T>('POST', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('PUT', path, body);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('PATCH', path, body);
  }

  async delete(path: string): Promise<void> {
    await this.send('DELETE', path);
  }

  /** Every item of a paged list (`{items, next_cursor}`), following the cursors. */
  async listAll<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page: { items: T[]; next_cursor?: string | null } = await this.get(
        `${path}?limit=200${query}`,
      );
      items.push(...page.items);
      cursor = page.next_cursor ?? null;
    } while (cursor);
    return items;
  }

  private async send<T>(method: Method, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.base}/admin/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? String(error);
      throw new CliError(`cannot reach ${this.base}: ${reason}`, ExitCode.unreachable);
    }
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!res.ok)
      throw new CliError(describeError(method, path, res.status, parsed), ExitCode.refused);
    return parsed as T;
  }
}

/** One line: the status and the server's RFC 6749-style error, with the offending fields. */
function describeError(method: Method, path: string, status: number, body: unknown): string {
  const error = (body ?? {}) as {
    error?: string;
    error_description?: string;
    fields?: Array<{ field: string; problems?: string[] }>;
  };
  const fields = error.fields?.length
    ? ` (${error.fields.map((f) => `${f.field}: ${(f.problems ?? []).join(', ')}`).join('; ')})`
    : '';
  return `${method} /admin/v1${path}: ${status} ${error.error ?? 'error'}: ${error.error_description ?? ''}${fields}`;
}
