import { ClientAuthMethod } from './client-auth-method';

/** Registered client metadata: RFC 7591 §2 and OpenID Connect Dynamic Client Registration §2 names. */
export interface ClientMetadata {
  client_name?: string;
  redirect_uris: string[];
  grant_types: string[];
  response_types: string[];
  /** Space-separated scopes the client may request; absent = every supported scope. */
  scope?: string;
  token_endpoint_auth_method: ClientAuthMethod;
  token_endpoint_auth_signing_alg?: string;
  jwks?: { keys: Record<string, unknown>[] };
  jwks_uri?: string;
  /** Default RS256. */
  id_token_signed_response_alg?: string;
  id_token_encrypted_response_alg?: string;
  /** Default A128CBC-HS256 when the alg is set (OIDC Registration §2). */
  id_token_encrypted_response_enc?: string;
  userinfo_signed_response_alg?: string;
  userinfo_encrypted_response_alg?: string;
  userinfo_encrypted_response_enc?: string;
  request_object_signing_alg?: string;
  request_object_encryption_alg?: string;
  request_object_encryption_enc?: string;
  /**
   * PKCE method the client committed to (ubisecure-notes §16.10): with it every authorization
   * request must carry a code_challenge; `plain` is accepted only from a client that registered it.
   */
  code_challenge_method?: string;
  /**
   * Extension: whether the ID token carries the claims its scopes release (default true, as
   * Keycloak and Entra ID do); false leaves them to UserInfo (OpenID Connect Core §5.4), except
   * those the `claims` request parameter asks for in the ID token (Core §5.5).
   */
  id_token_claims?: boolean;
  /** RP-Initiated Logout 1.0 §3.1: where the logout endpoint may send the browser (exact match). */
  post_logout_redirect_uris?: string[];
  /** Back-Channel Logout 1.0 §2.2: where logout tokens are posted. */
  backchannel_logout_uri?: string;
  /** Back-Channel Logout 1.0 §2.2: whether the RP needs `sid` in logout tokens (it always gets one). */
  backchannel_logout_session_required?: boolean;
  /** Extension (CONTRACT §3): the login page asks every user of this client for a second factor. */
  require_mfa?: boolean;
  /**
   * CONTRACT §4: the groups whose members may use the client (names, compared in canonical
   * form); absent or empty, every user may.
   */
  allowed_groups?: string[];
}

/** A client as the protocol code sees it. */
export interface RegisteredClient {
  readonly clientId: string;
  readonly metadata: ClientMetadata;
  readonly issuedAt: Date;
  /**
   * The client secret in plaintext (decrypted from its MASTER_KEY envelope when loaded), for
   * HS256 and the secret-derived JWE keys; null for clients without one.
   */
  readonly secret: string | null;
  /** SHA-256 of the secret, for constant-time comparison; null without a secret. */
  readonly secretHash: Buffer | null;
  /**
   * The generation its access tokens are minted in; revoking all of the client's tokens starts
   * a new one, and a token of an older generation is inactive (CONTRACT §4 revoke-tokens).
   */
  readonly tokenGeneration: number;
}
