import { RegisteredClient } from '../client';
import { ClientAuthMethod } from '../client-auth-method';
import { JWT_BEARER_ASSERTION_TYPE } from './client-auth-input';
import { NoneMethod } from './none.method';

function makeClient(method: ClientAuthMethod): RegisteredClient {
  return {
    clientId: 'spa',
    issuedAt: new Date(0),
    secret: null,
    secretHash: null,
    tokenGeneration: 0,
    metadata: {
      redirect_uris: [],
      grant_types: [],
      response_types: [],
      token_endpoint_auth_method: method,
    },
  };
}

describe(NoneMethod.name, () => {
  const sut = new NoneMethod();

  it('reads a request that carries only client_id', () => {
    const credential = sut.read({
      authorization: undefined,
      params: { client_id: 'spa', code: 'c' },
      endpoint: 'token',
    });

    expect(credential).toEqual({ clientId: 'spa', proof: '' });
  });

  it('ignores a request with a Basic header', () => {
    const input = {
      authorization: 'Basic c3BhOng=',
      params: { client_id: 'spa' },
      endpoint: 'token' as const,
    };

    expect(sut.read(input)).toBeNull();
  });

  it('ignores a request with a client_secret', () => {
    expect(
      sut.read({
        authorization: undefined,
        params: { client_id: 'spa', client_secret: 'x' },
        endpoint: 'token',
      }),
    ).toBeNull();
  });

  it('ignores a request with a client assertion', () => {
    const params = {
      client_id: 'spa',
      client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
      client_assertion: 'a.b.c',
    };

    expect(sut.read({ authorization: undefined, params, endpoint: 'token' })).toBeNull();
  });

  it('rejects a request without any client identification', () => {
    let error: unknown;
    try {
      sut.read({ authorization: undefined, params: {}, endpoint: 'token' });
    } catch (e) {
      error = e;
    }

    expect(error).toMatchObject({ code: 'invalid_client' });
  });

  it('accepts a public client', async () => {
    await expect(sut.verify(makeClient(ClientAuthMethod.None))).resolves.toBeUndefined();
  });

  it('rejects a confidential client', async () => {
    await expect(sut.verify(makeClient(ClientAuthMethod.ClientSecretBasic))).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('is not accepted at the introspection endpoint', () => {
    expect(sut.endpoints).toEqual(['token', 'revocation']);
  });
});
