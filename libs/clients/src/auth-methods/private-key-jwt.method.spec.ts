import { generateKeyPairSync, KeyObject, randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';

import { JWTPayload, SignJWT } from 'jose';

import { FixedClock, loadConfig } from '@app/config';
import { UsedIdentifierRepository } from '@app/persistence';

import { mockOf } from '../../../../test/mocks';
import { ClientMetadata, RegisteredClient } from '../client';
import { OutboundHttpClient } from '../outbound/outbound-http-client';
import { ClientAssertionVerifier } from './client-assertion.verifier';
import {
  ClientAuthEndpoint,
  ClientAuthInput,
  JWT_BEARER_ASSERTION_TYPE,
} from './client-auth-input';
import { JwksUriCache } from './jwks-uri.cache';
import { PrivateKeyJwtMethod } from './private-key-jwt.method';

const ISSUER = 'https://sso.example.com/uas';
const CLIENT_ID = 'rsa-app';
const NOW = new Date('2030-01-01T00:00:00Z');
const NOW_S = NOW.getTime() / 1000;

interface TestKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  jwk(extra?: Record<string, unknown>): Record<string, unknown>;
}

function rsaKey(): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey,
    publicKey,
    jwk: (extra = {}) => ({ ...publicKey.export({ format: 'jwk' }), ...extra }),
  };
}

const KEY = rsaKey();
const OTHER_KEY = rsaKey();

function makeClient(metadata: Partial<ClientMetadata> = {}): RegisteredClient {
  return {
    clientId: CLIENT_ID,
    issuedAt: NOW,
    secret: null,
    secretHash: null,
    tokenGeneration: 0,
    metadata: {
      redirect_uris: [],
      grant_types: ['client_credentials'],
      response_types: [],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [KEY.jwk({ kid: 'k1', use: 'sig' })] },
      ...metadata,
    },
  };
}

function claims(overrides: JWTPayload = {}): JWTPayload {
  return {
    iss: CLIENT_ID,
    sub: CLIENT_ID,
    aud: ISSUER,
    iat: NOW_S,
    exp: NOW_S + 300,
    jti: randomUUID(),
    ...overrides,
  };
}

function rs256(payload: JWTPayload, key = KEY, kid: string | null = 'k1'): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', ...(kid ? { kid } : {}) })
    .sign(key.privateKey);
}

function input(assertion: string, endpoint: ClientAuthEndpoint = 'token'): ClientAuthInput {
  return {
    authorization: undefined,
    params: { client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: assertion },
    endpoint,
  };
}

describe(PrivateKeyJwtMethod.name, () => {
  let clock: FixedClock;
  let sut: PrivateKeyJwtMethod;

  beforeEach(() => {
    const spent = new Set<string>();
    const usedIdentifiers = mockOf<UsedIdentifierRepository>();
    usedIdentifiers.claimClientJwtId.mockImplementation(async (clientId, value) => {
      const key = `${clientId} ${value}`;
      if (spent.has(key)) return false;
      spent.add(key);
      return true;
    });
    clock = new FixedClock(NOW);
    const verifier = new ClientAssertionVerifier(loadConfig({ ISSUER }), clock, usedIdentifiers);
    sut = new PrivateKeyJwtMethod(
      verifier,
      new JwksUriCache(clock, new OutboundHttpClient({ denyPrivate: false })),
    );
  });

  async function verify(assertion: string, client = makeClient()): Promise<void> {
    await sut.verify(client, { clientId: CLIENT_ID, proof: assertion });
  }

  it('reads the client from the sub of an RS256 assertion', async () => {
    const assertion = await rs256(claims());

    expect(sut.read(input(assertion))).toEqual({ clientId: CLIENT_ID, proof: assertion });
  });

  it('accepts an assertion signed with a registered key', async () => {
    await expect(verify(await rs256(claims()))).resolves.toBeUndefined();
  });

  it('selects the key named by kid among several', async () => {
    const client = makeClient({
      jwks: { keys: [OTHER_KEY.jwk({ kid: 'k0' }), KEY.jwk({ kid: 'k1' })] },
    });

    await expect(verify(await rs256(claims()), client)).resolves.toBeUndefined();
  });

  it('tries each signing key when the assertion names no kid', async () => {
    const client = makeClient({ jwks: { keys: [OTHER_KEY.jwk(), KEY.jwk()] } });

    await expect(verify(await rs256(claims(), KEY, null), client)).resolves.toBeUndefined();
  });

  it('rejects an assertion signed with another key', async () => {
    await expect(verify(await rs256(claims(), OTHER_KEY))).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('rejects a kid the client did not register', async () => {
    await expect(verify(await rs256(claims(), KEY, 'k9'))).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('does not use a key registered for encryption', async () => {
    const client = makeClient({ jwks: { keys: [KEY.jwk({ kid: 'k1', use: 'enc' })] } });

    await expect(verify(await rs256(claims()), client)).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('rejects a client with neither jwks nor jwks_uri', async () => {
    await expect(
      verify(await rs256(claims()), makeClient({ jwks: undefined })),
    ).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('rejects a replayed jti', async () => {
    const assertion = await rs256(claims());
    await verify(assertion);

    await expect(verify(assertion)).rejects.toMatchObject({ code: 'invalid_client' });
  });

  it('rejects an expired assertion', async () => {
    await expect(
      verify(await rs256(claims({ iat: NOW_S - 600, exp: NOW_S - 1 }))),
    ).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('rejects an exp more than 60 minutes ahead', async () => {
    await expect(verify(await rs256(claims({ exp: NOW_S + 2 * 3600 })))).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('rejects an assertion without jti', async () => {
    await expect(verify(await rs256(claims({ jti: undefined })))).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('rejects another audience', async () => {
    await expect(
      verify(await rs256(claims({ aud: `${ISSUER}/oauth2/userinfo` }))),
    ).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('rejects an iss other than the client', async () => {
    await expect(verify(await rs256(claims({ iss: 'someone-else' })))).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('rejects a sub other than the client', async () => {
    await expect(verify(await rs256(claims({ sub: 'someone-else' })))).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('rejects RS256 for a client whose token_endpoint_auth_signing_alg is HS256', async () => {
    const client = makeClient({ token_endpoint_auth_signing_alg: 'HS256' });

    await expect(verify(await rs256(claims()), client)).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('does not read an unsigned (alg none) assertion', () => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

    expect(sut.read(input(`${part({ alg: 'none' })}.${part(claims())}.`))).toBeNull();
  });

  it('rejects an unsigned (alg none) assertion handed to it', async () => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

    await expect(
      verify(`${part({ alg: 'none', kid: 'k1' })}.${part(claims())}.`),
    ).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  describe('key confusion (RFC 8725 §3.2): HS256 keyed with the public key', () => {
    async function hs256WithPublicKey(): Promise<string> {
      const pem = KEY.publicKey.export({ format: 'pem', type: 'spki' }) as string;
      return new SignJWT(claims())
        .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
        .sign(new TextEncoder().encode(pem));
    }

    it('is not read as private_key_jwt', async () => {
      expect(sut.read(input(await hs256WithPublicKey()))).toBeNull();
    });

    it('is rejected when handed to it', async () => {
      await expect(verify(await hs256WithPublicKey())).rejects.toMatchObject({
        code: 'invalid_client',
      });
    });
  });

  describe('with a jwks_uri', () => {
    let server: Server;
    let jwksUri: string;
    let published: Record<string, unknown>[];
    let fetches: number;

    beforeAll(async () => {
      server = createServer((_req, res) => {
        fetches++;
        res.writeHead(200, { 'content-type': 'application/jwk-set+json' });
        res.end(JSON.stringify({ keys: published }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
    });

    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    beforeEach(() => {
      published = [KEY.jwk({ kid: 'k1', use: 'sig' })];
      fetches = 0;
    });

    it('accepts an assertion signed with a published key', async () => {
      const client = makeClient({ jwks: undefined, jwks_uri: jwksUri });

      await expect(verify(await rs256(claims()), client)).resolves.toBeUndefined();
    });

    it('fetches the key set once for several assertions', async () => {
      const client = makeClient({ jwks: undefined, jwks_uri: jwksUri });
      await verify(await rs256(claims()), client);

      await verify(await rs256(claims()), client);

      expect(fetches).toBe(1);
    });

    it('refetches the key set when the kid is unknown, and finds a rotated key', async () => {
      const client = makeClient({ jwks: undefined, jwks_uri: jwksUri });
      await verify(await rs256(claims()), client);
      published = [KEY.jwk({ kid: 'k1' }), OTHER_KEY.jwk({ kid: 'k2' })];
      clock.advance(60);

      await expect(verify(await rs256(claims(), OTHER_KEY, 'k2'), client)).resolves.toBeUndefined();
      expect(fetches).toBe(2);
    });

    it('rejects a kid that is still unknown after the refetch', async () => {
      const client = makeClient({ jwks: undefined, jwks_uri: jwksUri });
      await verify(await rs256(claims()), client);
      clock.advance(60);

      await expect(verify(await rs256(claims(), OTHER_KEY, 'k2'), client)).rejects.toMatchObject({
        code: 'invalid_client',
      });
      expect(fetches).toBe(2);
    });
  });
});
