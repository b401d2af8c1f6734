import {
  createPublicKey,
  generateKeyPairSync,
  KeyObject,
  randomBytes,
  randomUUID,
} from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';

import request from 'supertest';

import seed from '../../fixtures/seed-metadata.json';
import {
  encryptRequestObject,
  encryptRsa15,
  RequestObjectSigner,
  signRequestObject,
} from '../../factories/request-object.factory';
import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import { adminCreateClient, adminCreateUser, basic, decodeJwt, postForm } from '../../setup/oauth';
import { startTestServer, TestServer } from '../../setup/test-server';
import { authorizationPath, Browser, redirectParams } from './browser';

const REDIRECT = 'https://app.example.com/cb';
const OTHER_REDIRECT = 'https://app.example.com/other';
const PASSWORD = 'correct horse battery';
const ENCRYPTION_ALGS = ['RSA-OAEP', 'RSA-OAEP-256', 'RSA1_5', 'A128KW', 'A256KW'] as const;
const ENCRYPTION_ENCS = ['A128CBC-HS256', 'A256CBC-HS512'] as const;

interface TestClient {
  client_id: string;
  client_secret?: string;
}

function rsaKey(kid: string): { privateKey: KeyObject; jwk: Record<string, unknown> } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey,
    jwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' },
  };
}

describe('request objects', () => {
  let db: TestDatabase;
  let server: TestServer;
  let jwksServer: Server;
  let browser: Browser;
  let serverEncryptionKey: KeyObject;
  let serverEncryptionKid: string;
  const clientKey = rsaKey('client-key-1');
  const otherKey = rsaKey('client-key-1');
  const uriKey = rsaKey('uri-key-1');
  /** Signs with RS256 or HS256, encrypts with anything supported: nothing registered. */
  let open: TestClient;
  let rsOnly: TestClient;
  let hsOnly: TestClient;
  let viaJwksUri: TestClient;
  let mustEncrypt: TestClient;
  let encryptsRs256: TestClient;
  let defaultEnc: TestClient;
  let twoRedirects: TestClient;

  beforeAll(async () => {
    jwksServer = createServer((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ keys: [uriKey.jwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const jwksUri = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
    const jwks = { keys: [clientKey.jwk] };
    open = await adminCreateClient(server, { redirect_uris: [REDIRECT], jwks });
    rsOnly = await adminCreateClient(server, {
      redirect_uris: [REDIRECT],
      jwks,
      request_object_signing_alg: 'RS256',
    });
    hsOnly = await adminCreateClient(server, {
      redirect_uris: [REDIRECT],
      request_object_signing_alg: 'HS256',
    });
    viaJwksUri = await adminCreateClient(server, {
      redirect_uris: [REDIRECT],
      jwks_uri: jwksUri,
      request_object_signing_alg: 'RS256',
    });
    mustEncrypt = await adminCreateClient(server, {
      redirect_uris: [REDIRECT],
      jwks,
      request_object_encryption_alg: 'RSA-OAEP-256',
      request_object_encryption_enc: 'A256CBC-HS512',
    });
    defaultEnc = await adminCreateClient(server, {
      redirect_uris: [REDIRECT],
      request_object_encryption_alg: 'A128KW',
    });
    encryptsRs256 = await adminCreateClient(server, {
      redirect_uris: [REDIRECT],
      jwks,
      request_object_signing_alg: 'RS256',
      request_object_encryption_alg: 'RSA-OAEP',
    });
    twoRedirects = await adminCreateClient(server, {
      redirect_uris: [REDIRECT, OTHER_REDIRECT],
      jwks,
    });
    const published = JSON.parse(
      (await request(server.http).get('/uas/oauth2/metadata.jwks')).text,
    ) as { keys: Record<string, string>[] };
    const encJwk = published.keys.find((k) => k.use === 'enc')!;
    serverEncryptionKey = createPublicKey({ key: encJwk, format: 'jwk' });
    serverEncryptionKid = encJwk.kid;
    await adminCreateUser(server, { username: 'alice', password: PASSWORD });
    browser = new Browser(server);
    await browser.signIn(
      { response_type: 'code', client_id: open.client_id, redirect_uri: REDIRECT },
      'alice',
      PASSWORD,
    );
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
    await new Promise((resolve) => jwksServer?.close(resolve));
  });

  /** The claims of a good request object for `client`. */
  function claimsFor(
    client: TestClient,
    extra: Record<string, unknown> = {},
  ): Record<string, unknown> {
    return {
      iss: client.client_id,
      aud: server.issuer,
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: 'inner-state',
      nonce: 'inner-nonce',
      exp: server.clock.nowSeconds() + 300,
      jti: randomUUID(),
      ...extra,
    };
  }

  const rs256: RequestObjectSigner = {
    alg: 'RS256',
    privateKey: clientKey.privateKey,
    kid: 'client-key-1',
  };
  const hs256 = (client: TestClient): RequestObjectSigner => ({
    alg: 'HS256',
    secret: client.client_secret!,
  });

  /** Sends `requestObject` for `client` from the signed-in browser; returns the redirect's parameters. */
  async function send(
    client: TestClient,
    requestObject: string,
    outer: Record<string, string> = {},
  ): Promise<Record<string, string>> {
    const res = await browser.get(
      authorizationPath({
        client_id: client.client_id,
        response_type: 'code',
        state: 'outer-state',
        request: requestObject,
        ...outer,
      }),
    );
    expect(res.status).toBe(302);
    return redirectParams(res.headers.location);
  }

  const accepted = { code: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), state: 'inner-state' };
  const refused = {
    error: 'invalid_request_object',
    error_description: expect.any(String),
    state: 'outer-state',
  };

  async function idTokenClaims(client: TestClient, code: string): Promise<Record<string, unknown>> {
    const res = await postForm(
      server,
      '/oauth2/token',
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT },
      basic(client.client_id, client.client_secret!),
    );
    expect(res.status).toBe(200);
    return decodeJwt(res.body.id_token).payload;
  }

  describe('signed', () => {
    it("RS256 with a key of the client's jwks: the parameters inside reach the code and the ID token", async () => {
      const answer = await send(rsOnly, await signRequestObject(claimsFor(rsOnly), rs256));

      expect(answer).toEqual(accepted);
      expect(await idTokenClaims(rsOnly, answer.code)).toMatchObject({
        nonce: 'inner-nonce',
        aud: rsOnly.client_id,
      });
    });

    it("RS256 with a key published at the client's jwks_uri", async () => {
      const signer: RequestObjectSigner = {
        alg: 'RS256',
        privateKey: uriKey.privateKey,
        kid: 'uri-key-1',
      };

      expect(
        await send(viaJwksUri, await signRequestObject(claimsFor(viaJwksUri), signer)),
      ).toEqual(accepted);
    });

    it('HS256 with the client secret', async () => {
      expect(await send(hsOnly, await signRequestObject(claimsFor(hsOnly), hs256(hsOnly)))).toEqual(
        accepted,
      );
    });

    it('RS256 or HS256 from a client that registered no algorithm', async () => {
      expect(await send(open, await signRequestObject(claimsFor(open), rs256))).toEqual(accepted);
      expect(await send(open, await signRequestObject(claimsFor(open), hs256(open)))).toEqual(
        accepted,
      );
    });

    it("RS256 without a kid, by any of the client's keys", async () => {
      expect(
        await send(
          open,
          await signRequestObject(claimsFor(open), {
            alg: 'RS256',
            privateKey: clientKey.privateKey,
          }),
        ),
      ).toEqual(accepted);
    });

    it('with aud an array that holds only the issuer', async () => {
      expect(
        await send(open, await signRequestObject(claimsFor(open, { aud: [server.issuer] }), rs256)),
      ).toEqual(accepted);
    });

    it('typed oauth-authz-req+jwt, in any case, with or without application/ (RFC 7515 §4.1.9)', async () => {
      for (const typ of [
        'oauth-authz-req+jwt',
        'OAuth-Authz-Req+JWT',
        'application/oauth-authz-req+jwt',
      ]) {
        expect(await send(open, await signRequestObject(claimsFor(open), rs256, { typ }))).toEqual(
          accepted,
        );
      }
    });

    it('with max_age as a JSON number', async () => {
      expect(
        await send(open, await signRequestObject(claimsFor(open, { max_age: 3600 }), rs256)),
      ).toEqual(accepted);
    });
  });

  describe('encrypted to the server (nested: signed, then encrypted)', () => {
    const matrix = ENCRYPTION_ALGS.flatMap((alg) =>
      ENCRYPTION_ENCS.map((enc) => [alg, enc] as const),
    );

    it.each(matrix)('%s with %s', async (alg, enc) => {
      const jws = await signRequestObject(claimsFor(open), rs256);
      const encryption =
        alg === 'A128KW' || alg === 'A256KW'
          ? { alg, enc, secret: open.client_secret! }
          : { alg, enc, serverKey: serverEncryptionKey, kid: serverEncryptionKid };

      const answer = await send(open, await encryptRequestObject(jws, encryption));

      expect(answer).toEqual(accepted);
      expect(await idTokenClaims(open, answer.code)).toMatchObject({ nonce: 'inner-nonce' });
    });

    it('with exactly the algorithms a client registered', async () => {
      const jws = () => signRequestObject(claimsFor(mustEncrypt), rs256);
      const registered = {
        alg: 'RSA-OAEP-256',
        enc: 'A256CBC-HS512',
        serverKey: serverEncryptionKey,
      } as const;

      expect(await send(mustEncrypt, await encryptRequestObject(await jws(), registered))).toEqual(
        accepted,
      );
      expect(
        await send(
          mustEncrypt,
          await encryptRequestObject(await jws(), { ...registered, alg: 'RSA-OAEP' }),
        ),
      ).toEqual(refused);
      expect(
        await send(
          mustEncrypt,
          await encryptRequestObject(await jws(), { ...registered, enc: 'A128CBC-HS256' }),
        ),
      ).toEqual(refused);
    });

    it('or only signed, from a client that registered encryption (OIDC Registration §2)', async () => {
      expect(
        await send(mustEncrypt, await signRequestObject(claimsFor(mustEncrypt), rs256)),
      ).toEqual(accepted);
    });

    it('or only signed, but then still with the signing algorithm the client registered', async () => {
      expect(
        await send(encryptsRs256, await signRequestObject(claimsFor(encryptsRs256), rs256)),
      ).toEqual(accepted);
      expect(
        await send(
          encryptsRs256,
          await signRequestObject(claimsFor(encryptsRs256), hs256(encryptsRs256)),
        ),
      ).toEqual(refused);
      expect(
        await send(
          encryptsRs256,
          await signRequestObject(claimsFor(encryptsRs256), { alg: 'none' }),
        ),
      ).toEqual(refused);
    });

    it('with A128CBC-HS256 when a client registered only the alg (OIDC Registration §2)', async () => {
      const jws = () => signRequestObject(claimsFor(defaultEnc), hs256(defaultEnc));
      const encryption = { alg: 'A128KW', secret: defaultEnc.client_secret! } as const;

      expect(
        await send(
          defaultEnc,
          await encryptRequestObject(await jws(), { ...encryption, enc: 'A128CBC-HS256' }),
        ),
      ).toEqual(accepted);
      expect(
        await send(
          defaultEnc,
          await encryptRequestObject(await jws(), { ...encryption, enc: 'A256CBC-HS512' }),
        ),
      ).toEqual(refused);
    });
  });

  describe('parameters', () => {
    it('inside the object win over the outer ones', async () => {
      const object = await signRequestObject(
        claimsFor(open, { scope: 'userinfo', state: 'inner-state' }),
        rs256,
      );

      const answer = await send(open, object, {
        scope: 'openid',
        state: 'outer-state',
        nonce: 'outer',
        redirect_uri: REDIRECT,
      });

      expect(answer).toEqual(accepted);
      const res = await postForm(
        server,
        '/oauth2/token',
        { grant_type: 'authorization_code', code: answer.code, redirect_uri: REDIRECT },
        basic(open.client_id, open.client_secret!),
      );
      expect(res.body.scope).toBe('userinfo');
      expect(res.body.id_token).toBeUndefined();
    });

    it('may name the redirect URI only inside the object', async () => {
      const object = await signRequestObject(
        claimsFor(twoRedirects, { redirect_uri: OTHER_REDIRECT }),
        rs256,
      );

      const res = await browser.get(
        authorizationPath({
          client_id: twoRedirects.client_id,
          response_type: 'code',
          request: object,
        }),
      );

      expect(res.status).toBe(302);
      expect(res.headers.location.startsWith(`${OTHER_REDIRECT}?code=`)).toBe(true);
    });

    it('an unregistered redirect URI inside the object shows the error page', async () => {
      const object = await signRequestObject(
        claimsFor(open, { redirect_uri: 'https://evil.example.com/cb' }),
        rs256,
      );

      const res = await browser.get(
        authorizationPath({
          client_id: open.client_id,
          response_type: 'code',
          redirect_uri: REDIRECT,
          request: object,
        }),
      );

      expect(res.status).toBe(400);
      expect(res.headers.location).toBeUndefined();
    });

    it('a bad object is shown, not redirected, when no redirect URI is known yet', async () => {
      const res = await browser.get(
        authorizationPath({
          client_id: twoRedirects.client_id,
          response_type: 'code',
          request: 'not.a.jwt',
        }),
      );

      expect(res.status).toBe(400);
      expect(res.headers.location).toBeUndefined();
      expect(res.text).toContain('<code>invalid_request_object</code>');
    });

    it('is required from a client that registered request_object_signing_alg', async () => {
      const res = await browser.get(
        authorizationPath({
          client_id: rsOnly.client_id,
          response_type: 'code',
          redirect_uri: REDIRECT,
          state: 'outer-state',
        }),
      );

      expect(redirectParams(res.headers.location)).toEqual({
        error: 'invalid_request',
        error_description: expect.any(String),
        state: 'outer-state',
      });
    });
  });

  describe('every way an object can be wrong', () => {
    const cases: [string, () => Promise<string>, (() => TestClient)?][] = [
      ['alg none', () => signRequestObject(claimsFor(open), { alg: 'none' })],
      [
        'alg none, encrypted',
        async () =>
          encryptRequestObject(await signRequestObject(claimsFor(open), { alg: 'none' }), {
            alg: 'RSA-OAEP',
            enc: 'A128CBC-HS256',
            serverKey: serverEncryptionKey,
          }),
      ],
      [
        'an encrypted object that is not signed',
        () =>
          encryptRequestObject(JSON.stringify(claimsFor(open)), {
            alg: 'RSA-OAEP',
            enc: 'A128CBC-HS256',
            serverKey: serverEncryptionKey,
          }),
      ],
      [
        'HS256 from a client that registered RS256',
        () => signRequestObject(claimsFor(rsOnly), { alg: 'HS256', secret: rsOnly.client_secret! }),
        () => rsOnly,
      ],
      [
        'RS256 from a client that registered HS256',
        () => signRequestObject(claimsFor(hsOnly), rs256),
        () => hsOnly,
      ],
      [
        'a signature by a key the client did not register',
        () =>
          signRequestObject(claimsFor(open), {
            alg: 'RS256',
            privateKey: otherKey.privateKey,
            kid: 'client-key-1',
          }),
      ],
      [
        'HS256 with a wrong secret',
        () => signRequestObject(claimsFor(open), { alg: 'HS256', secret: 'not-the-secret' }),
      ],
      [
        "HS256 keyed with the client's public key (algorithm confusion)",
        () =>
          signRequestObject(claimsFor(open), {
            alg: 'HS256',
            secret: JSON.stringify(clientKey.jwk),
          }),
      ],
      [
        'an altered payload',
        async () => {
          const [h, , s] = (await signRequestObject(claimsFor(open), rs256)).split('.');
          return `${h}.${Buffer.from(JSON.stringify(claimsFor(open, { scope: 'userinfo' }))).toString('base64url')}.${s}`;
        },
      ],
      [
        'an unsupported signature algorithm',
        () => signRequestObject(claimsFor(open), rs256, { alg: 'PS256' }),
      ],
      [
        'iss of another client',
        () => signRequestObject(claimsFor(open, { iss: rsOnly.client_id }), rs256),
      ],
      ['no iss', () => signRequestObject(claimsFor(open, { iss: undefined }), rs256)],
      [
        'aud of another server',
        () => signRequestObject(claimsFor(open, { aud: 'https://other.example.com/uas' }), rs256),
      ],
      [
        'aud the token endpoint',
        () => signRequestObject(claimsFor(open, { aud: `${server.issuer}/oauth2/token` }), rs256),
      ],
      [
        "aud the issuer and more (the product's sample)",
        () =>
          signRequestObject(
            claimsFor(open, {
              aud: [
                server.issuer,
                `${server.issuer}/oauth2/token`,
                `${server.issuer}/oauth2/authorization`,
              ],
            }),
            rs256,
          ),
      ],
      [
        "typ JWT (the product's sample)",
        () => signRequestObject(claimsFor(open), rs256, { typ: 'JWT' }),
      ],
      ['typ at+jwt', () => signRequestObject(claimsFor(open), hs256(open), { typ: 'at+jwt' })],
      [
        'sub the client, as in a client assertion (RFC 9101 §10.8)',
        () => signRequestObject(claimsFor(open, { sub: open.client_id }), rs256),
      ],
      ['no aud', () => signRequestObject(claimsFor(open, { aud: undefined }), rs256)],
      [
        'exp in the past',
        () => signRequestObject(claimsFor(open, { exp: server.clock.nowSeconds() - 120 }), rs256),
      ],
      [
        'nbf in the future',
        () => signRequestObject(claimsFor(open, { nbf: server.clock.nowSeconds() + 600 }), rs256),
      ],
      [
        'a client_id that differs from the outer one',
        () => signRequestObject(claimsFor(open, { client_id: rsOnly.client_id }), rs256),
      ],
      [
        'a response_type that differs from the outer one',
        () => signRequestObject(claimsFor(open, { response_type: 'token' }), rs256),
      ],
      [
        'request inside the object',
        () => signRequestObject(claimsFor(open, { request: 'x.y.z' }), rs256),
      ],
      [
        'request_uri inside the object',
        () =>
          signRequestObject(claimsFor(open, { request_uri: 'https://app.example.com/r' }), rs256),
      ],
      [
        'a parameter of the wrong type',
        () => signRequestObject(claimsFor(open, { scope: ['openid'] }), rs256),
      ],
      [
        'an exp in milliseconds (past any date the jti could be kept until)',
        () => signRequestObject(claimsFor(open, { exp: server.clock.now().getTime() * 10 }), rs256),
      ],
      ['not a JWT', async () => 'not-a-jwt'],
      ['a JWT with a broken header', async () => 'eyJ.eyJ.sig'],
      [
        'an encryption enc not offered',
        async () =>
          encryptRequestObject(await signRequestObject(claimsFor(open), rs256), {
            alg: 'RSA-OAEP',
            enc: 'A128GCM',
            serverKey: serverEncryptionKey,
          }),
      ],
      [
        'a key-wrap key from a wrong secret',
        async () =>
          encryptRequestObject(await signRequestObject(claimsFor(open), rs256), {
            alg: 'A128KW',
            enc: 'A128CBC-HS256',
            secret: 'not-the-secret',
          }),
      ],
      [
        'a JWE naming another key',
        async () =>
          encryptRequestObject(await signRequestObject(claimsFor(open), rs256), {
            alg: 'RSA-OAEP',
            enc: 'A128CBC-HS256',
            serverKey: serverEncryptionKey,
            kid: 'someone-else',
          }),
      ],
    ];

    it.each(cases)(
      'refuses %s with invalid_request_object',
      async (_case, make, client = () => open) => {
        expect(await send(client(), await make())).toEqual(refused);
      },
    );

    it('honours exp: refused once it has passed', async () => {
      const object = await signRequestObject(
        claimsFor(open, { exp: server.clock.nowSeconds() + 90 }),
        rs256,
      );
      server.clock.advance(200);

      expect(await send(open, object)).toEqual(refused);
    });

    it('accepts a jti once', async () => {
      const object = await signRequestObject(claimsFor(open), rs256);

      expect(await send(open, object)).toEqual(accepted);
      expect(await send(open, object)).toEqual(refused);
    });

    it('accepts an object without jti and exp more than once', async () => {
      const object = await signRequestObject(
        claimsFor(open, { jti: undefined, exp: undefined }),
        rs256,
      );

      expect(await send(open, object)).toEqual(accepted);
      expect(await send(open, object)).toEqual(accepted);
    });
  });

  describe('RSA1_5 without a padding oracle', () => {
    it('answers a malformed RSA block and a block for another key exactly alike', async () => {
      const jws = await signRequestObject(claimsFor(open), rs256);
      const garbage = randomBytes(256);
      garbage[0] = 0;
      const { publicKey: strangerKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

      const malformed = await send(
        open,
        encryptRsa15(jws, serverEncryptionKey, 'A128CBC-HS256', garbage),
      );
      const wrongKey = await send(open, encryptRsa15(jws, strangerKey, 'A128CBC-HS256'));
      const tampered = await send(
        open,
        tamperTag(encryptRsa15(jws, serverEncryptionKey, 'A128CBC-HS256')),
      );

      expect(malformed).toEqual(refused);
      expect(wrongKey).toEqual(malformed);
      expect(tampered).toEqual(malformed);
    });
  });

  it('is what discovery advertises, and only that', async () => {
    const res = await request(server.http).get('/uas/.well-known/openid-configuration');

    expect(res.body).toMatchObject({
      // By value only: request_uri is refused (authorization-endpoint.e2e-spec.ts).
      request_parameter_supported: true,
      request_uri_parameter_supported: false,
      request_object_signing_alg_values_supported: seed.request_object_signing_alg_values_supported,
      request_object_encryption_alg_values_supported:
        seed.request_object_encryption_alg_values_supported,
      request_object_encryption_enc_values_supported:
        seed.request_object_encryption_enc_values_supported,
    });
    expect([...ENCRYPTION_ALGS]).toEqual(seed.request_object_encryption_alg_values_supported);
    expect([...ENCRYPTION_ENCS]).toEqual(seed.request_object_encryption_enc_values_supported);
  });
});

/** Flips a bit of the authentication tag. */
function tamperTag(jwe: string): string {
  const parts = jwe.split('.');
  const tag = Buffer.from(parts[4], 'base64url');
  tag[0] ^= 1;
  parts[4] = tag.toString('base64url');
  return parts.join('.');
}
