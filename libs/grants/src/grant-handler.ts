import { GrantType, RegisteredClient } from '@app/clients';
import { OAuthError } from '@app/errors';
import { TokenResponse } from '@app/tokens';

/** The form parameters of a token request, each given once (RFC 6749 §3.2). */
export type TokenParams = Readonly<Record<string, string>>;

/** What a grant handler receives. `client` is the authenticated client. */
export interface TokenRequest {
  readonly client: RegisteredClient;
  readonly params: TokenParams;
  /** The HTTP client's address (per TRUST_PROXY), for the password checks' limits. */
  readonly clientAddress?: string | null;
}

/** The OTP initiate answer (CONTRACT §3, one-time password grants). */
export interface OtpChallengeResponse {
  x_globalsign_iam_challenge: { reference: string };
}

/** A token endpoint answer: RFC 6749 §5.1 JSON, or the OTP initiate answer. */
export type TokenEndpointResult = TokenResponse | OtpChallengeResponse;

/** One grant type; registered in GRANT_HANDLERS. */
export interface GrantHandler {
  readonly grantType: GrantType;
  /** Parameters the handler reads; everything else is dropped before handle(). */
  readonly parameters: readonly string[];
  /** False when the grant is configured off (e.g. no SMS gateway): not advertised, unsupported_grant_type. */
  isEnabled?(): boolean;
  handle(request: TokenRequest): Promise<TokenEndpointResult>;
}

/** Injection token for the list of handlers. */
export const GRANT_HANDLER_LIST = Symbol('GrantHandlers');

/** The parameter's value, or invalid_request when it is missing (RFC 6749 §5.2). */
export function requireParam(params: TokenParams, name: string): string {
  const value = params[name];
  if (value === undefined || value === '') {
    throw new OAuthError('invalid_request', `The ${name} parameter is missing.`);
  }
  return value;
}
