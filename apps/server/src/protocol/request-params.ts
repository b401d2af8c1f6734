import { OAuthError } from '@app/errors';
import { hasControlCharacter } from '@app/persistence';
const FORM_CONTENT_TYPE = /^application\/x-www-form-urlencoded\b/i;

/**
 * The parameters of a protocol request — a query string or an application/x-www-form-urlencoded
 * body, each value a string or, when repeated, an array — read once, here, for every protocol
 * endpoint. RFC 6749 §3.1: a parameter sent without a value is omitted, and none may be sent
 * more than once.
 */
export class RequestParams {
  private constructor(
    /** Each parameter sent once, with a value. */
    readonly values: Readonly<Record<string, string>>,
    /** Parameters sent more than once (or not as one value), in the order received. */
    readonly repeated: readonly string[],
    private readonly sent: ReadonlySet<string>,
    /** The first reason, in the order received, why the parameters are not single-valued. */
    private readonly problem: OAuthError | null,
  ) {}

  /** The query string of a GET. */
  static fromQuery(query: unknown): RequestParams {
    return RequestParams.read(query);
  }

  /** The body of a POST: invalid_request unless it is a form. */
  static fromForm(contentType: string | undefined, body: unknown): RequestParams {
    if (!isForm(contentType)) {
      throw new OAuthError(
        'invalid_request',
        'The request body must be application/x-www-form-urlencoded.',
      );
    }
    return RequestParams.read(body);
  }

  /** The body of a POST when it is a form, and no parameters otherwise (RFC 6750 §2.2: the body is optional). */
  static fromOptionalForm(contentType: string | undefined, body: unknown): RequestParams {
    return RequestParams.read(isForm(contentType) ? body : undefined);
  }

  private static read(raw: unknown): RequestParams {
    const values: Record<string, string> = {};
    const repeated: string[] = [];
    let problem: OAuthError | null = null;
    const entries = Object.entries((raw ?? {}) as Record<string, unknown>);
    for (const [name, value] of entries) {
      if (typeof value !== 'string') {
        repeated.push(name);
        problem ??= Array.isArray(value)
          ? new OAuthError('invalid_request', `The ${name} parameter is repeated.`)
          : new OAuthError('invalid_request', 'The request body is malformed.');
        continue;
      }
      if (hasControlCharacter(value) || hasControlCharacter(name)) {
        problem ??= new OAuthError(
          'invalid_request',
          `The ${safeName(name)} parameter contains a control character.`,
        );
      }
      if (value !== '') values[name] = value;
    }
    return new RequestParams(values, repeated, new Set(entries.map(([name]) => name)), problem);
  }

  /** Whether the parameter was sent at all: with a value or without, once or more. */
  has(name: string): boolean {
    return this.sent.has(name);
  }

  /**
   * The values, or invalid_request for a repeated parameter or a control character: for the
   * endpoints that answer errors at once (token, introspection, revocation). The authorization
   * endpoint reads `values` and `repeated` instead, as it must first know where errors go.
   */
  singleValued(): Record<string, string> {
    if (this.problem) throw this.problem;
    return { ...this.values };
  }
}

/** Only the named parameters: a handler never sees what it did not declare. */
export function pick(
  params: Readonly<Record<string, string>>,
  names: readonly string[],
): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) if (params[name] !== undefined) picked[name] = params[name];
  return picked;
}

function isForm(contentType: string | undefined): boolean {
  return contentType !== undefined && FORM_CONTENT_TYPE.test(contentType);
}

function safeName(name: string): string {
  return /^[a-z0-9_]{1,64}$/i.test(name) ? name : 'a';
}
