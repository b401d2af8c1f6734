import { generateKeyPairSync } from 'node:crypto';

import { ClientMetadata, JwksUriCache, RegisteredClient } from '@app/clients';
import { AppConfig, FixedClock } from '@app/config';
import { OAuthError } from '@app/errors';
import { KeyStore } from '@app/keys';
import { UsedIdentifierRepository } from '@app/persistence';

import {
  encryptRequestObject,
  signRequestObject,
} from '../../../test/factories/request-object.factory';
import { caught, mockOf } from '../../../test/mocks';
import { RequestObjectVerifier } from './request-object.verifier';

const ISSUER = 'https://idp.example.com/uas';
const CLIENT_ID = '6b1d3f0e-2a4c-4e8f-9b7a-1c2d3e4f5a6b';
const SECRET = 'a-client-secret-of-enough-length-0123456789';
const config = { issuer: { url: ISSUER } } as AppConfig;
const clientKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const serverKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const clientJwk = { ...clientKey.publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig' };

function makeClient(metadata: Partial<ClientMetadata> = {}): RegisteredClient {
  return {
    clientId: CLIENT_ID,
    metadata: {
      redirect_uris: ['https://app.example.com/cb'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      jwks: { keys: [clientJwk] },
      ...metadata,
    },
    issuedAt: new Date('2030-01-01T00:00:00Z'),
    secret: SECRET,
    secretHash: null,
    tokenGeneration: 0,
  };
}

describe(RequestObjectVerifier.name, () => {
  const clock = new FixedClock(new Date('2030-01-01T12:00:00Z'));
  const claims = (extra: Record<string, unknown> = {}) => ({
    iss: CLIENT_ID,
    aud: ISSUER,
    client_id: CLIENT_ID,
    response_type: 'code',
    exp: clock.nowSeconds() + 300,
    jti: 'jti-1',
    ...extra,
  });
  const rs256 = { alg: 'RS256', privateKey: clientKey.privateKey, kid: 'k1' } as const;
  let keys: jest.Mocked<KeyStore>;
  let jwksUris: jest.Mocked<JwksUriCache>;
  let usedIdentifiers: jest.Mocked<UsedIdentifierRepository>;
  let sut: RequestObjectVerifier;

  beforeEach(() => {
    keys = mockOf<KeyStore>();
    jwksUris = mockOf<JwksUriCache>();
    usedIdentifiers = mockOf<UsedIdentifierRepository>();
    sut = new RequestObjectVerifier(config, clock, keys, jwksUris, usedIdentifiers);
    keys.decryptionKey.mockResolvedValue({ kid: 'enc-1', privateKey: serverKey.privateKey });
    usedIdentifiers.claimClientJwtId.mockResolvedValue(true);
  });

  it('returns the claims of an RS256 object and spends its jti until exp, in the record client assertions share', async () => {
    const result = await sut.verify(
      await signRequestObject(claims({ state: 's' }), rs256),
      makeClient(),
    );

    expect(result).toMatchObject({ state: 's', client_id: CLIENT_ID });
    expect(usedIdentifiers.claimClientJwtId).toHaveBeenCalledWith(
      CLIENT_ID,
      'jti-1',
      new Date((clock.nowSeconds() + 360) * 1000),
      clock.now(),
    );
  });

  it('keeps the jti of an object whose exp has a fraction until a minute after the whole second it is accepted in', async () => {
    await sut.verify(
      await signRequestObject(claims({ exp: clock.nowSeconds() + 300.5 }), rs256),
      makeClient(),
    );

    // Accepted while exp + 60 > the current whole second: until nowSeconds + 361.
    expect(usedIdentifiers.claimClientJwtId).toHaveBeenCalledWith(
      CLIENT_ID,
      'jti-1',
      new Date((clock.nowSeconds() + 361) * 1000),
      clock.now(),
    );
  });

  it('verifies HS256 with the UTF-8 bytes of the client secret', async () => {
    const result = await sut.verify(
      await signRequestObject(claims(), { alg: 'HS256', secret: SECRET }),
      makeClient(),
    );

    expect(result.iss).toBe(CLIENT_ID);
  });

  it('decrypts a nested JWE with the server key first', async () => {
    const jwe = await encryptRequestObject(await signRequestObject(claims(), rs256), {
      alg: 'RSA-OAEP-256',
      enc: 'A256CBC-HS512',
      serverKey: serverKey.publicKey,
    });

    expect((await sut.verify(jwe, makeClient())).iss).toBe(CLIENT_ID);
  });

  it('fetches the keys of a client registered with jwks_uri, again once for an unknown kid', async () => {
    const jwksUri = 'https://app.example.com/jwks.json';
    jwksUris.keys.mockResolvedValueOnce([]).mockResolvedValueOnce([clientJwk]);

    const result = await sut.verify(
      await signRequestObject(claims(), rs256),
      makeClient({ jwks: undefined, jwks_uri: jwksUri }),
    );

    expect(result.iss).toBe(CLIENT_ID);
    expect(jwksUris.keys.mock.calls).toEqual([[jwksUri], [jwksUri, { refresh: true }]]);
  });

  it('turns an unusable jwks_uri into invalid_request_object', async () => {
    jwksUris.keys.mockRejectedValue(
      new OAuthError('invalid_client', 'Client authentication failed.', { detail: 'HTTP 500' }),
    );

    const error = await caught(
      sut.verify(
        await signRequestObject(claims(), rs256),
        makeClient({ jwks: undefined, jwks_uri: 'https://app.example.com/jwks.json' }),
      ),
    );

    expect(error.code).toBe('invalid_request_object');
  });

  it.each([
    ['alg none', () => signRequestObject(claims(), { alg: 'none' })],
    [
      'HS256 when the client registered RS256',
      () => signRequestObject(claims(), { alg: 'HS256', secret: SECRET }),
    ],
    ['a wrong iss', () => signRequestObject(claims({ iss: 'someone' }), rs256)],
    ['a wrong aud', () => signRequestObject(claims({ aud: 'https://other.example.com' }), rs256)],
    ['an expired object', () => signRequestObject(claims({ exp: clock.nowSeconds() - 61 }), rs256)],
    ['an empty jti', () => signRequestObject(claims({ jti: '' }), rs256)],
    ["typ JWT (a client assertion's)", () => signRequestObject(claims(), rs256, { typ: 'JWT' })],
    ['typ at+jwt', () => signRequestObject(claims(), rs256, { typ: 'at+jwt' })],
    ['typ logout+jwt', () => signRequestObject(claims(), rs256, { typ: 'logout+jwt' })],
    [
      'aud the token endpoint',
      () => signRequestObject(claims({ aud: `${ISSUER}/oauth2/token` }), rs256),
    ],
    [
      'aud the issuer and the token endpoint',
      () => signRequestObject(claims({ aud: [ISSUER, `${ISSUER}/oauth2/token`] }), rs256),
    ],
    ['an empty aud array', () => signRequestObject(claims({ aud: [] }), rs256)],
    [
      "sub the client (a client assertion's shape)",
      () => signRequestObject(claims({ sub: CLIENT_ID }), rs256),
    ],
    [
      'an ID token of the client (iss the server)',
      () => signRequestObject(claims({ iss: ISSUER, sub: 'user-1', aud: CLIENT_ID }), rs256),
    ],
  ])('refuses %s', async (_case, make) => {
    const error = await caught(
      sut.verify(await make(), makeClient({ request_object_signing_alg: 'RS256' })),
    );

    expect(error.code).toBe('invalid_request_object');
  });

  it('refuses a jti already spent, by a request object or a client assertion', async () => {
    usedIdentifiers.claimClientJwtId.mockResolvedValue(false);

    const error = await caught(sut.verify(await signRequestObject(claims(), rs256), makeClient()));

    expect(error.code).toBe('invalid_request_object');
  });

  it('refuses HS256 from a client without a secret', async () => {
    const client = { ...makeClient({ token_endpoint_auth_method: 'none' }), secret: null };

    const error = await caught(
      sut.verify(await signRequestObject(claims(), { alg: 'HS256', secret: SECRET }), client),
    );

    expect(error.code).toBe('invalid_request_object');
  });

  it('accepts an object only signed from a client that registered encryption (OIDC Registration §2)', async () => {
    const result = await sut.verify(
      await signRequestObject(claims(), rs256),
      makeClient({ request_object_encryption_alg: 'RSA-OAEP' }),
    );

    expect(result.iss).toBe(CLIENT_ID);
  });

  it('refuses an object only signed from such a client with another alg than it registered', async () => {
    const client = makeClient({
      request_object_encryption_alg: 'RSA-OAEP',
      request_object_signing_alg: 'RS256',
    });

    const error = await caught(
      sut.verify(await signRequestObject(claims(), { alg: 'HS256', secret: SECRET }), client),
    );

    expect(error.code).toBe('invalid_request_object');
  });

  it.each([
    ['untyped', {}],
    ['typed oauth-authz-req+jwt', { typ: 'oauth-authz-req+jwt' }],
    ['typed application/oauth-authz-req+jwt', { typ: 'application/oauth-authz-req+jwt' }],
  ])('accepts an object %s', async (_case, header) => {
    expect(
      (
        await sut.verify(
          await signRequestObject(claims({ aud: [ISSUER] }), rs256, header),
          makeClient(),
        )
      ).iss,
    ).toBe(CLIENT_ID);
  });

  it('keeps the jti of an object without exp for a day', async () => {
    await sut.verify(await signRequestObject(claims({ exp: undefined }), rs256), makeClient());

    expect(usedIdentifiers.claimClientJwtId.mock.calls[0][2]).toEqual(
      new Date(clock.now().getTime() + 24 * 3600 * 1000),
    );
  });
});
