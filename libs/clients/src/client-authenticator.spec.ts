import { generateKeyPairSync, randomUUID } from 'node:crypto';

import { JWTPayload, SignJWT } from 'jose';

import { FixedClock, loadConfig } from '@app/config';
import { hashToken } from '@app/crypto';
import { OAuthError } from '@app/errors';
import { UsedIdentifierRepository } from '@app/persistence';

import { mockOf } from '../../../test/mocks';
import { ClientAssertionVerifier } from './auth-methods/client-assertion.verifier';
import { ClientAuthHandler } from './auth-methods/client-auth-handler';
import {
  ClientAuthEndpoint,
  ClientAuthInput,
  JWT_BEARER_ASSERTION_TYPE,
} from './auth-methods/client-auth-input';
import { ClientSecretBasicMethod } from './auth-methods/client-secret-basic.method';
import { ClientSecretJwtMethod } from './auth-methods/client-secret-jwt.method';
import { ClientSecretPostMethod } from './auth-methods/client-secret-post.method';
import { JwksUriCache } from './auth-methods/jwks-uri.cache';
import { NoneMethod } from './auth-methods/none.method';
import { PrivateKeyJwtMethod } from './auth-methods/private-key-jwt.method';
import { RegisteredClient } from './client';
import { ClientAuthMethod } from './client-auth-method';
import { ClientAuthenticator } from './client-authenticator';
import { ClientRegistry } from './client-registry.service';
import { OutboundHttpClient } from './outbound/outbound-http-client';

const ISSUER = 'https://sso.example.com/uas';
const SECRET = 'a-client-secret-of-forty-three-characters-x';
const NOW = new Date('2030-01-01T00:00:00Z');
const NOW_S = NOW.getTime() / 1000;
const RSA = generateKeyPairSync('rsa', { modulusLength: 2048 });

function makeClient(clientId: string, method: ClientAuthMethod): RegisteredClient {
  const secret =
    method === ClientAuthMethod.None || method === ClientAuthMethod.PrivateKeyJwt ? null : SECRET;
  return {
    clientId,
    issuedAt: NOW,
    secret,
    secretHash: secret === null ? null : hashToken(secret),
    tokenGeneration: 0,
    metadata: {
      redirect_uris: [],
      grant_types: ['client_credentials'],
      response_types: [],
      token_endpoint_auth_method: method,
      ...(method === ClientAuthMethod.PrivateKeyJwt
        ? { jwks: { keys: [RSA.publicKey.export({ format: 'jwk' })] } }
        : {}),
    },
  };
}

const CLIENTS = [
  makeClient('basic-app', ClientAuthMethod.ClientSecretBasic),
  makeClient('post-app', ClientAuthMethod.ClientSecretPost),
  makeClient('hmac-app', ClientAuthMethod.ClientSecretJwt),
  makeClient('rsa-app', ClientAuthMethod.PrivateKeyJwt),
  makeClient('public-app', ClientAuthMethod.None),
];

function basicHeader(clientId: string, secret = SECRET): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

function request(
  params: Record<string, string>,
  authorization?: string,
  endpoint: ClientAuthEndpoint = 'token',
): ClientAuthInput {
  return { authorization, params, endpoint };
}

function claims(clientId: string): JWTPayload {
  return {
    iss: clientId,
    sub: clientId,
    aud: ISSUER,
    iat: NOW_S,
    exp: NOW_S + 300,
    jti: randomUUID(),
  };
}

function hs256(clientId: string, key: string = SECRET): Promise<string> {
  return new SignJWT(claims(clientId))
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(key));
}

function rs256(clientId: string): Promise<string> {
  return new SignJWT(claims(clientId)).setProtectedHeader({ alg: 'RS256' }).sign(RSA.privateKey);
}

function assertionParams(
  assertion: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
    client_assertion: assertion,
    ...extra,
  };
}

describe(ClientAuthenticator.name, () => {
  let registry: jest.Mocked<ClientRegistry>;
  let handlers: ClientAuthHandler[];
  let sut: ClientAuthenticator;

  beforeEach(() => {
    registry = mockOf<ClientRegistry>();
    registry.findById.mockImplementation(
      async (id) => CLIENTS.find((c) => c.clientId === id) ?? null,
    );
    const usedIdentifiers = mockOf<UsedIdentifierRepository>();
    usedIdentifiers.claimClientJwtId.mockResolvedValue(true);
    const clock = new FixedClock(NOW);
    const config = loadConfig({ ISSUER });
    const assertions = new ClientAssertionVerifier(config, clock, usedIdentifiers);
    handlers = [
      new ClientSecretPostMethod(),
      new ClientSecretBasicMethod(),
      new ClientSecretJwtMethod(assertions),
      new PrivateKeyJwtMethod(
        assertions,
        new JwksUriCache(clock, new OutboundHttpClient({ denyPrivate: false })),
      ),
      new NoneMethod(),
    ];
    sut = new ClientAuthenticator(registry, config, handlers);
  });

  describe('client_secret_basic', () => {
    it('authenticates a client with its secret in a Basic header', async () => {
      const result = await sut.authenticate(
        request({ grant_type: 'client_credentials' }, basicHeader('basic-app')),
      );

      expect(result).toEqual({ client: CLIENTS[0], method: 'client_secret_basic' });
    });

    it('rejects a wrong secret with a Basic challenge', async () => {
      const failure = sut.authenticate(request({}, basicHeader('basic-app', 'wrong')));

      await expect(failure).rejects.toMatchObject({
        code: 'invalid_client',
        status: 401,
        options: expect.objectContaining({ challenge: `Basic realm="${ISSUER}"` }),
      });
    });

    it('rejects an unknown client', async () => {
      await expect(sut.authenticate(request({}, basicHeader('nobody')))).rejects.toMatchObject({
        code: 'invalid_client',
      });
    });

    it('rejects a client registered for another method', async () => {
      await expect(sut.authenticate(request({}, basicHeader('post-app')))).rejects.toMatchObject({
        code: 'invalid_client',
      });
    });

    it('rejects malformed credentials with a Basic challenge', async () => {
      await expect(sut.authenticate(request({}, 'Basic !!!'))).rejects.toMatchObject({
        code: 'invalid_client',
        options: expect.objectContaining({ challenge: `Basic realm="${ISSUER}"` }),
      });
    });

    it('accepts a matching client_id form parameter', async () => {
      const result = await sut.authenticate(
        request({ client_id: 'basic-app' }, basicHeader('basic-app')),
      );

      expect(result.client.clientId).toBe('basic-app');
    });

    it('rejects a client_id form parameter naming another client', async () => {
      await expect(
        sut.authenticate(request({ client_id: 'post-app' }, basicHeader('basic-app'))),
      ).rejects.toMatchObject({
        code: 'invalid_client',
      });
    });
  });

  describe('client_secret_post', () => {
    it('authenticates a client with its secret in the form', async () => {
      const result = await sut.authenticate(
        request({ client_id: 'post-app', client_secret: SECRET }),
      );

      expect(result).toEqual({ client: CLIENTS[1], method: 'client_secret_post' });
    });

    it('rejects a wrong secret without a challenge', async () => {
      const error = await sut
        .authenticate(request({ client_id: 'post-app', client_secret: 'wrong' }))
        .catch((e: OAuthError) => e);

      expect(error).toMatchObject({ code: 'invalid_client', status: 401 });
      expect((error as OAuthError).options.challenge).toBeUndefined();
    });

    it('rejects an unknown client', async () => {
      await expect(
        sut.authenticate(request({ client_id: 'nobody', client_secret: SECRET })),
      ).rejects.toMatchObject({
        code: 'invalid_client',
      });
    });

    it('rejects a client registered for another method', async () => {
      await expect(
        sut.authenticate(request({ client_id: 'basic-app', client_secret: SECRET })),
      ).rejects.toMatchObject({
        code: 'invalid_client',
      });
    });
  });

  describe('client_secret_jwt', () => {
    it('authenticates a client with an HS256 assertion', async () => {
      const result = await sut.authenticate(request(assertionParams(await hs256('hmac-app'))));

      expect(result).toEqual({ client: CLIENTS[2], method: 'client_secret_jwt' });
    });

    it('rejects an assertion signed with another secret', async () => {
      await expect(
        sut.authenticate(request(assertionParams(await hs256('hmac-app', 'wrong')))),
      ).rejects.toMatchObject({
        code: 'invalid_client',
      });
    });

    it('rejects an unknown client', async () => {
      await expect(
        sut.authenticate(request(assertionParams(await hs256('nobody')))),
      ).rejects.toMatchObject({
        code: 'invalid_client',
      });
    });

    it('rejects a client registered for another method', async () => {
      await expect(
        sut.authenticate(request(assertionParams(await hs256('post-app')))),
      ).rejects.toMatchObject({
        code: 'invalid_client',
      });
    });

    it('rejects a client_id form parameter naming another client', async () => {
      const params = assertionParams(await hs256('hmac-app'), { client_id: 'post-app' });

      await expect(sut.authenticate(request(params))).rejects.toMatchObject({
        code: 'invalid_client',
      });
    });
  });

  describe('private_key_jwt', () => {
    it('authenticates a client with an RS256 assertion', async () => {
      const result = await sut.authenticate(
        request(assertionParams(await rs256('rsa-app'), { client_id: 'rsa-app' })),
      );

      expect(result).toEqual({ client: CLIENTS[3], method: 'private_key_jwt' });
    });

    it('rejects a client registered for another method', async () => {
      await expect(
        sut.authenticate(request(assertionParams(await rs256('hmac-app')))),
      ).rejects.toMatchObject({
        code: 'invalid_client',
      });
    });

    it('rejects HS256 keyed with the client public key (key confusion, RFC 8725 §3.2)', async () => {
      const pem = RSA.publicKey.export({ format: 'pem', type: 'spki' }) as string;

      await expect(
        sut.authenticate(request(assertionParams(await hs256('rsa-app', pem)))),
      ).rejects.toMatchObject({
        code: 'invalid_client',
      });
    });

    it('rejects an unsigned (alg none) assertion', async () => {
      const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const assertion = `${part({ alg: 'none' })}.${part(claims('rsa-app'))}.`;

      await expect(sut.authenticate(request(assertionParams(assertion)))).rejects.toMatchObject({
        code: 'invalid_client',
      });
    });
  });

  describe('none', () => {
    it('identifies a public client by its client_id', async () => {
      const result = await sut.authenticate(request({ client_id: 'public-app', code: 'abc' }));

      expect(result).toEqual({ client: CLIENTS[4], method: 'none' });
    });

    it('identifies a public client at the revocation endpoint', async () => {
      const result = await sut.authenticate(
        request({ client_id: 'public-app' }, undefined, 'revocation'),
      );

      expect(result.method).toBe('none');
    });

    it('refuses a public client at the introspection endpoint', async () => {
      await expect(
        sut.authenticate(request({ client_id: 'public-app' }, undefined, 'introspection')),
      ).rejects.toMatchObject({
        code: 'invalid_client',
      });
    });

    it('rejects a confidential client that sends only its client_id', async () => {
      await expect(sut.authenticate(request({ client_id: 'basic-app' }))).rejects.toMatchObject({
        code: 'invalid_client',
      });
    });

    it('rejects an unknown client', async () => {
      await expect(sut.authenticate(request({ client_id: 'nobody' }))).rejects.toMatchObject({
        code: 'invalid_client',
      });
    });

    it('rejects a public client that sends a secret', async () => {
      await expect(
        sut.authenticate(request({ client_id: 'public-app', client_secret: 'x' })),
      ).rejects.toMatchObject({
        code: 'invalid_client',
      });
    });

    it('rejects a request without any client authentication', async () => {
      await expect(sut.authenticate(request({ grant_type: 'password' }))).rejects.toMatchObject({
        code: 'invalid_client',
        status: 401,
      });
    });
  });

  describe('more than one mechanism (RFC 6749 §2.3)', () => {
    it('rejects a Basic header together with a client_secret in the form', async () => {
      const input = request(
        { client_id: 'basic-app', client_secret: SECRET },
        basicHeader('basic-app'),
      );

      await expect(sut.authenticate(input)).rejects.toMatchObject({ code: 'invalid_request' });
    });

    it('rejects a client_secret together with an assertion', async () => {
      const input = request(
        assertionParams(await hs256('hmac-app'), { client_id: 'hmac-app', client_secret: SECRET }),
      );

      await expect(sut.authenticate(input)).rejects.toMatchObject({ code: 'invalid_request' });
    });

    it('rejects a Basic header together with an assertion', async () => {
      const input = request(assertionParams(await hs256('hmac-app')), basicHeader('hmac-app'));

      await expect(sut.authenticate(input)).rejects.toMatchObject({ code: 'invalid_request' });
    });
  });

  it('rejects a client_assertion without client_assertion_type', async () => {
    await expect(
      sut.authenticate(request({ client_assertion: await hs256('hmac-app') })),
    ).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });

  it('rejects an unsupported client_assertion_type', async () => {
    const params = {
      client_assertion_type: 'urn:example:other',
      client_assertion: await hs256('hmac-app'),
    };

    await expect(sut.authenticate(request(params))).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('gives an unknown client and a wrong secret the same public answer', async () => {
    const publicPart = (e: OAuthError) => ({
      code: e.code,
      description: e.description,
      status: e.status,
    });

    const unknown = await sut
      .authenticate(request({ client_id: 'nobody', client_secret: SECRET }))
      .catch(publicPart);
    const wrong = await sut
      .authenticate(request({ client_id: 'post-app', client_secret: 'x' }))
      .catch(publicPart);

    expect(unknown).toMatchObject({ code: 'invalid_client', status: 401 });
    expect(wrong).toEqual(unknown);
  });

  it('lists every method in the seed order', () => {
    expect(sut.methods()).toEqual([
      'client_secret_post',
      'client_secret_basic',
      'client_secret_jwt',
      'private_key_jwt',
      'none',
    ]);
  });

  it.each(['token', 'revocation'] as const)('lists none at the %s endpoint', (endpoint) => {
    expect(sut.methods(endpoint)).toContain('none');
  });

  it('does not list none at the introspection endpoint', () => {
    expect(sut.methods('introspection')).toEqual([
      'client_secret_post',
      'client_secret_basic',
      'client_secret_jwt',
      'private_key_jwt',
    ]);
  });

  it('lists the assertion signing algorithms in the seed order', () => {
    expect(sut.signingAlgs()).toEqual(['RS256', 'HS256']);
  });

  it('refuses two handlers for one method', () => {
    expect(
      () =>
        new ClientAuthenticator(registry, loadConfig({ ISSUER }), [...handlers, new NoneMethod()]),
    ).toThrow();
  });
});
