/** Registered clients and client authentication. */
export { ClientsModule } from './clients.module';
/** Authenticates the client of a token, introspection or revocation request; lists the methods for discovery. */
export { ClientAuthenticator } from './client-authenticator';
export type { AuthenticatedClient } from './client-authenticator';
/** The request a client authentication reads, and the form parameters that carry credentials. */
export { CLIENT_AUTH_PARAMS } from './auth-methods/client-auth-input';
export type { ClientAuthEndpoint, ClientAuthInput } from './auth-methods/client-auth-input';
/** Registered clients: find (no cache), create, list, replace, rotate secret, delete. */
export { ClientRegistry } from './client-registry.service';
export type { ClientPage, ClientSummary, ClientWithNewSecret } from './client-registry.service';
/** The rules of client metadata; the allowed values come from the metadata document. */
export {
  authMethodUsesSecret,
  clientMetadataSupportFrom,
  ClientMetadataValidator,
  SECRET_METHODS,
} from './client-metadata.validator';
export type { ClientMetadataInput, ClientMetadataSupport } from './client-metadata.validator';
/** token_endpoint_auth_method values. */
export { CLIENT_AUTH_METHOD_ORDER, ClientAuthMethod } from './client-auth-method';
/** The client as protocol code sees it. */
export type { ClientMetadata, RegisteredClient } from './client';
/** grant_type wire values, in the order discovery advertises them. */
export { GRANT_TYPE_ORDER, GrantType } from './grant-type';
/** The public-client rule (CONTRACT §3): which clients are public, and which grants they may use. */
export { isGrantTypeAllowed, isPublicClient } from './public-client';
export type { ClientAuthMethodHolder } from './public-client';
/** Which scopes a client may be granted, and which claims a granted scope releases. */
export {
  allowedClaimNames,
  CLAIM_SCOPES,
  OPENID_SCOPES,
  releasedClaimScopes,
  resolveScope,
  SCOPE_CLAIM_NAMES,
  SCOPE_CLAIMS,
  SUPPORTED_SCOPES,
} from './scope-policy';
/**
 * What keeps the JWTs a client signs apart (client assertions, request objects): their explicit
 * types and the rule that every audience must be ours (RFC 8725 §3.11, §3.12).
 */
export { ClientJwtType, hasOnlyAudiences, isUntypedOr } from './client-jwt';
/** Clients' jwks_uri key sets, fetched on demand and cached (client assertions, request objects). */
export { JwksUriCache } from './auth-methods/jwks-uri.cache';
/**
 * Requests to client-registered URLs (jwks_uri, back-channel logout): refuses link-local and
 * cloud-metadata addresses (and, with OUTBOUND_DENY_PRIVATE, loopback and private ones), connects
 * only to the checked address, follows no redirects, bounds time and size.
 */
export { OutboundHttpClient } from './outbound/outbound-http-client';
export type { OutboundRequest, OutboundResponse } from './outbound/outbound-http-client';
