import { hashToken } from '@app/crypto';

import { RegisteredClient } from '../client';
import { ClientSecretPostMethod } from './client-secret-post.method';

const SECRET = 'Kq3-secret_value';

function makeClient(secret: string | null = SECRET): RegisteredClient {
  return {
    clientId: 'app',
    issuedAt: new Date(0),
    secret,
    secretHash: secret === null ? null : hashToken(secret),
    tokenGeneration: 0,
    metadata: {
      redirect_uris: [],
      grant_types: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_post',
    },
  };
}

describe(ClientSecretPostMethod.name, () => {
  const sut = new ClientSecretPostMethod();

  it('reads client_id and client_secret from the form', () => {
    const credential = sut.read({
      authorization: undefined,
      params: { client_id: 'app', client_secret: SECRET },
      endpoint: 'token',
    });

    expect(credential).toEqual({ clientId: 'app', proof: SECRET });
  });

  it('ignores a request without client_secret', () => {
    expect(
      sut.read({ authorization: undefined, params: { client_id: 'app' }, endpoint: 'token' }),
    ).toBeNull();
  });

  it('rejects a client_secret without client_id', () => {
    let error: unknown;
    try {
      sut.read({ authorization: undefined, params: { client_secret: SECRET }, endpoint: 'token' });
    } catch (e) {
      error = e;
    }

    expect(error).toMatchObject({ code: 'invalid_client' });
  });

  it('accepts the client secret', async () => {
    await expect(
      sut.verify(makeClient(), { clientId: 'app', proof: SECRET }),
    ).resolves.toBeUndefined();
  });

  it('rejects a wrong secret', async () => {
    await expect(
      sut.verify(makeClient(), { clientId: 'app', proof: 'Kq3-secret_valuf' }),
    ).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('rejects a prefix of the secret', async () => {
    await expect(
      sut.verify(makeClient(), { clientId: 'app', proof: SECRET.slice(0, -1) }),
    ).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('rejects any secret for a client that has none', async () => {
    await expect(
      sut.verify(makeClient(null), { clientId: 'app', proof: SECRET }),
    ).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });
});
