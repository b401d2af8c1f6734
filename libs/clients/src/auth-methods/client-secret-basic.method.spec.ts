import { hashToken } from '@app/crypto';

import { RegisteredClient } from '../client';
import { ClientAuthInput } from './client-auth-input';
import { ClientSecretBasicMethod } from './client-secret-basic.method';

const SECRET = 'Kq3-secret_value';

function basic(userPass: string): ClientAuthInput {
  return {
    authorization: `Basic ${Buffer.from(userPass, 'utf8').toString('base64')}`,
    params: {},
    endpoint: 'token',
  };
}

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
      token_endpoint_auth_method: 'client_secret_basic',
    },
  };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe(ClientSecretBasicMethod.name, () => {
  const sut = new ClientSecretBasicMethod();

  it('reads the client_id and secret of a Basic header', () => {
    const credential = sut.read(basic(`app:${SECRET}`));

    expect(credential).toEqual({ clientId: 'app', proof: SECRET });
  });

  it('form-urldecodes special characters in the client_id and secret (RFC 6749 §2.3.1)', () => {
    const secret = 'p@ss:w%rd+ü/=&?';
    const encoded = `${encodeURIComponent('my app:1')}:${encodeURIComponent(secret)}`;

    const credential = sut.read(basic(encoded));

    expect(credential).toEqual({ clientId: 'my app:1', proof: secret });
  });

  it('decodes + as a space', () => {
    const credential = sut.read(basic('app:a+b'));

    expect(credential?.proof).toBe('a b');
  });

  it('splits at the first colon, so an encoded secret may contain colons', () => {
    const credential = sut.read(basic('app:a:b'));

    expect(credential).toEqual({ clientId: 'app', proof: 'a:b' });
  });

  it('accepts the scheme name in any case', () => {
    const credential = sut.read({
      ...basic('app:s'),
      authorization: `bAsIc ${Buffer.from('app:s').toString('base64')}`,
    });

    expect(credential?.clientId).toBe('app');
  });

  it('ignores a request without an Authorization header', () => {
    expect(
      sut.read({ authorization: undefined, params: { client_id: 'app' }, endpoint: 'token' }),
    ).toBeNull();
  });

  it('ignores another Authorization scheme', () => {
    expect(sut.read({ authorization: 'Bearer abc', params: {}, endpoint: 'token' })).toBeNull();
  });

  it('rejects credentials that are not base64', () => {
    const error = thrown(() =>
      sut.read({ authorization: 'Basic ***', params: {}, endpoint: 'token' }),
    );

    expect(error).toMatchObject({ code: 'invalid_client' });
  });

  it('rejects an empty Basic header', () => {
    const error = thrown(() => sut.read({ authorization: 'Basic', params: {}, endpoint: 'token' }));

    expect(error).toMatchObject({ code: 'invalid_client' });
  });

  it('rejects credentials without a colon', () => {
    expect(thrown(() => sut.read(basic('app')))).toMatchObject({ code: 'invalid_client' });
  });

  it('rejects an empty client_id', () => {
    expect(thrown(() => sut.read(basic(`:${SECRET}`)))).toMatchObject({ code: 'invalid_client' });
  });

  it('rejects a malformed percent-encoding', () => {
    expect(thrown(() => sut.read(basic('app:%zz')))).toMatchObject({ code: 'invalid_client' });
  });

  it('rejects bytes that are not UTF-8', () => {
    const raw = Buffer.concat([Buffer.from('app:'), Buffer.from([0xff, 0xfe])]).toString('base64');

    const error = thrown(() =>
      sut.read({ authorization: `Basic ${raw}`, params: {}, endpoint: 'token' }),
    );

    expect(error).toMatchObject({ code: 'invalid_client' });
  });

  it('accepts the client secret', async () => {
    await expect(
      sut.verify(makeClient(), { clientId: 'app', proof: SECRET }),
    ).resolves.toBeUndefined();
  });

  it('rejects a wrong secret', async () => {
    await expect(
      sut.verify(makeClient(), { clientId: 'app', proof: `${SECRET}x` }),
    ).rejects.toMatchObject({
      code: 'invalid_client',
      status: 401,
    });
  });

  it('rejects any secret for a client that has none', async () => {
    await expect(
      sut.verify(makeClient(null), { clientId: 'app', proof: '' }),
    ).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });
});
