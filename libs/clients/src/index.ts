/** Registered clients and client authentication. */
export { ClientsModule } from './clients.module';
export { ClientAuthenticator } from './client-authenticator';
/** token_endpoint_auth_method values. */
export { CLIENT_AUTH_METHOD_ORDER, ClientAuthMethod } from './client-auth-method';
