import { DEFAULT_STATUS, OAuthErrorCode } from './oauth-error-code';

/** One offending field of an admin request body. */
export interface FieldProblem {
  readonly field: string;
  readonly problems: string[];
}

export interface OAuthErrorOptions {
  /** HTTP status; defaults from the code. */
  readonly status?: number;
  /** For the logs only; never sent to the client. */
  readonly detail?: string;
  /** Value of WWW-Authenticate. */
  readonly challenge?: string;
  /** Offending fields (admin API validation). */
  readonly fields?: FieldProblem[];
  /** Seconds, sent as Retry-After (429, 503). */
  readonly retryAfterSeconds?: number;
}

/** The only error libs throw. `description` is public: one safe sentence, no secrets. */
export class OAuthError extends Error {
  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    readonly options: OAuthErrorOptions = {},
  ) {
    super(`${code}: ${description}`);
    this.name = 'OAuthError';
  }

  get status(): number {
    return this.options.status ?? DEFAULT_STATUS[this.code];
  }
}
