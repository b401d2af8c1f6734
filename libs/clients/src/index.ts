/** Registered clients and client authentication. */
export { ClientsModule } from './clients.module';
export { ClientAuthenticator } from './client-authenticator';
export { ClientRegistry } from './client-registry.service';
/** token_endpoint_auth_method values. */
export { CLIENT_AUTH_METHOD_ORDER, ClientAuthMethod } from './client-auth-method';
/** The client as protocol code sees it. */
export { isPublicClient } from './client';
export type { ClientMetadata, RegisteredClient } from './client';
/** Which scopes a client may be granted. */
export { resolveScope, SUPPORTED_SCOPES } from './scope-policy';
