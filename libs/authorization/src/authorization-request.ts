import { RegisteredClient } from '@app/clients';
import { ResponseMode } from '@app/errors';
import { RequestedClaims } from '@app/persistence';

import { PkceMethod } from './pkce';

/** The parameters of an authorization request as received: each given at most once, never empty. */
export type AuthorizationParams = Readonly<Record<string, string>>;

/**
 * An authorization request's parameters as read from the query or form (RFC 6749 §3.1): those
 * sent once with a value, and the names sent more than once, which are an error reported only
 * once it is known where errors go.
 */
export interface AuthorizationInput {
  readonly values: AuthorizationParams;
  readonly repeated: readonly string[];
}

/** An authorization request that passed every check (RFC 6749 §4.1.1, OIDC Core §3.1.2.1). */
export interface AuthorizationRequest {
  readonly client: RegisteredClient;
  /** Where the answer goes: a registered redirect URI. */
  readonly redirectUri: string;
  /** Whether the request named it; the token request must then repeat it (RFC 6749 §4.1.3). */
  readonly redirectUriSent: boolean;
  readonly state: string | null;
  /** How the answer travels to the redirect URI (response_mode, OAuth 2.0 Form Post Response Mode). */
  readonly responseMode: ResponseMode;
  readonly scope: readonly string[];
  readonly nonce: string | null;
  /** The `claims` parameter's names (OpenID Connect Core §5.5); null when it was not sent. */
  readonly requestedClaims: RequestedClaims | null;
  /** prompt=none: answer without showing anything (OIDC Core §3.1.2.1). */
  readonly promptNone: boolean;
  /** prompt=login, or max_age=0: sign the user in again even with a session. */
  readonly promptLogin: boolean;
  /** max_age in seconds: a session signed in longer ago than this is not enough. */
  readonly maxAgeSeconds: number | null;
  readonly uiLocales: string | null;
  readonly loginHint: string | null;
  /** acr_values (OIDC Core §3.1.2.1), space-separated, as sent; `urn:uas:acr:mfa` asks for a second factor. */
  readonly acrValues: string | null;
  readonly codeChallenge: string | null;
  readonly codeChallengeMethod: PkceMethod | null;
}
