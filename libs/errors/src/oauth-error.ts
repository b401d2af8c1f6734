import { DEFAULT_STATUS, OAuthErrorCode } from './oauth-error-code';

/** One offending field of an admin request body. */
export interface FieldProblem {
  readonly field: string;
  readonly problems: string[];
}

/**
 * How an authorization response reaches the redirect URI: in its query (RFC 6749 §4.1.2), or in
 * a form the browser posts there (OAuth 2.0 Form Post Response Mode §2).
 */
export const ResponseMode = {
  Query: 'query',
  FormPost: 'form_post',
} as const;

export type ResponseMode = (typeof ResponseMode)[keyof typeof ResponseMode];

/**
 * Where an authorization endpoint error goes (RFC 6749 §4.1.2.1): back to the client's
 * redirect URI, with the request's state, in the response mode the request asked for.
 */
export interface ErrorRedirect {
  readonly redirectUri: string;
  readonly state: string | null;
  readonly responseMode: ResponseMode;
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
  /**
   * Set once an authorization request's client and redirect URI are established: the error is
   * then redirected there; without it the error is shown to the user (RFC 6749 §4.1.2.1).
   */
  readonly redirect?: ErrorRedirect;
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

  /** The same error, to be redirected to `target` instead of shown. */
  redirectingTo(target: ErrorRedirect): OAuthError {
    return new OAuthError(this.code, this.description, { ...this.options, redirect: target });
  }
}
