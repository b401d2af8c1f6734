import { RegisteredClient } from '@app/clients';

type Metadata = RegisteredClient['metadata'];

/**
 * A confidential client as the registry hands it to a grant or a service under unit test:
 * `client_secret_basic`, no redirect URIs unless `metadata` gives them.
 */
export function registeredClient(
  grantTypes: Metadata['grant_types'],
  metadata: Partial<Metadata> = {},
  clientId = '6b1d3f0e-2a4c-4e8f-9b7a-1c2d3e4f5a6b',
): RegisteredClient {
  return {
    clientId,
    metadata: {
      redirect_uris: [],
      grant_types: grantTypes,
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
      ...metadata,
    },
    issuedAt: new Date('2030-01-01T00:00:00Z'),
    secret: 'secret',
    secretHash: null,
    tokenGeneration: 0,
  };
}
