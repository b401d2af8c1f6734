import { ClientAuthMethod } from './client-auth-method';
import { ClientMetadata } from './client';
import { GrantType } from './grant-type';

/** What the public-client rule reads of a client: registered or only proposed. */
export interface ClientAuthMethodHolder {
  readonly metadata: Pick<ClientMetadata, 'token_endpoint_auth_method'>;
}

/** CONTRACT §3: the grant types a public client may use: the code flow and its refresh tokens. */
const PUBLIC_CLIENT_GRANT_TYPES: readonly string[] = [
  GrantType.AuthorizationCode,
  GrantType.RefreshToken,
];

/** True for public clients (RFC 6749 §2.1): token_endpoint_auth_method none, so no secret. */
export function isPublicClient(client: ClientAuthMethodHolder): boolean {
  return client.metadata.token_endpoint_auth_method === ClientAuthMethod.None;
}

/**
 * Whether a client of this kind may use `grantType` at all, whatever it registered: a public
 * client only the code flow and its refresh tokens (CONTRACT §3), any other client every grant.
 */
export function isGrantTypeAllowed(client: ClientAuthMethodHolder, grantType: string): boolean {
  return !isPublicClient(client) || PUBLIC_CLIENT_GRANT_TYPES.includes(grantType);
}
