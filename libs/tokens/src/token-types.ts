import { RegisteredClient } from '@app/clients';
import { RequestedClaims } from '@app/persistence';

/** What a grant hands to TokenService.issue() once its own checks passed. */
export interface IssueTokensRequest {
  readonly client: RegisteredClient;
  /** The `sub` claim. */
  readonly subject: string;
  /** Set when the subject is a registered user: deleting the user ends the tokens, userinfo reads the user's claims. */
  readonly userId: string | null;
  /** The granted scope (already checked with resolveScope). */
  readonly scope: readonly string[];
  readonly authTime: Date;
  /** Authentication methods references (RFC 8176), e.g. ['pwd'], ['otp'], ['saml']. */
  readonly amr: readonly string[];
  readonly nonce?: string | null;
  /** Extra claims for the ID token and userinfo (e.g. a verified e-mail, SAML attributes). */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** The claims the authorization request asked for one by one (OpenID Connect Core §5.5). */
  readonly requestedClaims?: RequestedClaims | null;
  /**
   * The id of the grant to create (a UUID), when the caller recorded it beforehand (the
   * authorization code grant binds it to the code); a fresh one when absent.
   */
  readonly grantId?: string;
  /** The login session (`sid`) the grant comes from (the code flow); it goes into ID tokens. */
  readonly sessionId?: string | null;
}

/** RFC 6749 §5.1 successful response. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  id_token?: string;
  refresh_token?: string;
}

/** The claims of one of our RFC 9068 access tokens, after every check passed. */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string;
  client_id: string;
  scope: string;
  iat: number;
  exp: number;
  jti: string;
  auth_time?: number;
  /** The grant the token came from; absent for client_credentials. */
  gid?: string;
}
