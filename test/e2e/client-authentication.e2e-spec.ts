import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';

import { SignJWT } from 'jose';

import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { admin, adminCreateClient, basic, postForm } from '../setup/oauth';
import { startTestServer, TestServer } from '../setup/test-server';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Every token_endpoint_auth_method at the token, introspection and revocation endpoints. */
describe('client authentication over HTTP', () => {
  let db: TestDatabase;
  let server: TestServer;
  let jwksServer: Server;
  let jwksUri: string;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicJwk = {
    ...(rsa.publicKey.export({ format: 'jwk' }) as Record<string, unknown>),
    kid: 'rp-sig',
    use: 'sig',
    alg: 'RS256',
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
    jwksServer = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [publicJwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const address = jwksServer.address();
    jwksUri = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/jwks.json`;
  });

  afterAll(async () => {
    await server?.close();
    await new Promise((resolve) => jwksServer?.close(resolve));
    await db?.drop();
  });

  // CONTRACT "Recorded details": the issuer or the token endpoint URL, at every endpoint.
  const tokenEndpointUrl = () => `${server.issuer}/oauth2/token`;

  async function assertion(
    clientId: string,
    aud: string,
    sign: { alg: 'HS256'; secret: string } | { alg: 'RS256' },
    expiresIn = 300,
  ) {
    const jwt = new SignJWT({ jti: randomUUID() })
      .setProtectedHeader(sign.alg === 'RS256' ? { alg: 'RS256', kid: 'rp-sig' } : { alg: 'HS256' })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(aud)
      .setIssuedAt(server.clock.nowSeconds() - 600)
      .setExpirationTime(server.clock.nowSeconds() + expiresIn);
    return sign.alg === 'RS256'
      ? jwt.sign(rsa.privateKey)
      : jwt.sign(new TextEncoder().encode(sign.secret));
  }

  type Credentials = { form: Record<string, string>; authorization?: string };
  type Method = {
    name: string;
    register: Record<string, unknown>;
    credentials: (
      client: { client_id: string; client_secret?: string },
      path: string,
    ) => Promise<Credentials>;
  };

  const METHODS: Method[] = [
    {
      name: 'client_secret_basic',
      register: {},
      credentials: async (c) => ({ form: {}, authorization: basic(c.client_id, c.client_secret!) }),
    },
    {
      name: 'client_secret_post',
      register: { token_endpoint_auth_method: 'client_secret_post' },
      credentials: async (c) => ({
        form: { client_id: c.client_id, client_secret: c.client_secret! },
      }),
    },
    {
      name: 'client_secret_jwt',
      register: { token_endpoint_auth_method: 'client_secret_jwt' },
      credentials: async (c) => ({
        form: {
          client_assertion_type: ASSERTION_TYPE,
          client_assertion: await assertion(c.client_id, tokenEndpointUrl(), {
            alg: 'HS256',
            secret: c.client_secret!,
          }),
        },
      }),
    },
    {
      name: 'private_key_jwt with jwks',
      register: { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [publicJwk] } },
      credentials: async (c) => ({
        form: {
          client_assertion_type: ASSERTION_TYPE,
          client_assertion: await assertion(c.client_id, server.issuer, { alg: 'RS256' }),
        },
      }),
    },
    {
      name: 'private_key_jwt with jwks_uri',
      register: { token_endpoint_auth_method: 'private_key_jwt', jwks_uri: '' },
      credentials: async (c) => ({
        form: {
          client_assertion_type: ASSERTION_TYPE,
          client_assertion: await assertion(c.client_id, tokenEndpointUrl(), { alg: 'RS256' }),
        },
      }),
    },
  ];

  const register = (method: Method) =>
    adminCreateClient(server, {
      grant_types: ['client_credentials'],
      ...method.register,
      ...('jwks_uri' in method.register ? { jwks_uri: jwksUri } : {}),
    });
  const call = async (
    client: { client_id: string; client_secret?: string },
    method: Method,
    path: string,
    params: Record<string, string>,
  ) => {
    const { form, authorization } = await method.credentials(client, path);
    return postForm(server, path, { ...params, ...form }, authorization);
  };

  describe.each(METHODS)('$name', (method) => {
    it('authenticates at the token, introspection and revocation endpoints', async () => {
      const client = await register(method);

      const token = await call(client, method, '/oauth2/token', {
        grant_type: 'client_credentials',
      });
      expect(token.status).toBe(200);
      const introspection = await call(client, method, '/oauth2/introspection', {
        token: token.body.access_token,
      });
      expect(introspection.status).toBe(200);
      expect(introspection.body.active).toBe(true);
      const revocation = await call(client, method, '/oauth2/revocation', {
        token: token.body.access_token,
      });
      expect(revocation.status).toBe(200);
      const after = await call(client, method, '/oauth2/introspection', {
        token: token.body.access_token,
      });
      expect(after.body).toEqual({ active: false });
    });

    it('refuses the client when it presents credentials of another method', async () => {
      const client = await register(method);
      // A Basic header for every method but client_secret_basic, whose client tries the form instead.
      const secret = client.client_secret ?? 'a-guessed-secret';
      const res =
        method.name === 'client_secret_basic'
          ? await postForm(server, '/oauth2/token', {
              grant_type: 'client_credentials',
              client_id: client.client_id,
              client_secret: secret,
            })
          : await postForm(
              server,
              '/oauth2/token',
              { grant_type: 'client_credentials' },
              basic(client.client_id, secret),
            );

      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
    });
  });

  it('refuses a replayed client assertion (jti is single-use)', async () => {
    const client = await adminCreateClient(server, {
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [publicJwk] },
    });
    const jwt = await assertion(client.client_id, server.issuer, { alg: 'RS256' });
    const form = {
      grant_type: 'client_credentials',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: jwt,
    };

    expect((await postForm(server, '/oauth2/token', form)).status).toBe(200);
    const replay = await postForm(server, '/oauth2/token', form);

    expect(replay.status).toBe(401);
    expect(replay.body.error).toBe('invalid_client');
  });

  it('refuses a replay in the last second of an assertion whose exp has a fraction', async () => {
    const client = await adminCreateClient(server, {
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [publicJwk] },
    });
    // `time.time() + 60` in many clients: a JSON number with a fraction, which RFC 7519 §2 allows.
    const exp = server.clock.nowSeconds() + 60.5;
    const jwt = await new SignJWT({ jti: randomUUID(), exp })
      .setProtectedHeader({ alg: 'RS256', kid: 'rp-sig' })
      .setIssuer(client.client_id)
      .setSubject(client.client_id)
      .setAudience(server.issuer)
      .setIssuedAt(server.clock.nowSeconds())
      .sign(rsa.privateKey);
    const form = {
      grant_type: 'client_credentials',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: jwt,
    };
    expect((await postForm(server, '/oauth2/token', form)).status).toBe(200);

    // 0.7 s past the whole second before exp (after exp itself): still accepted, as exp >
    // the current whole second, so its jti must still be spent.
    server.clock.advance((Math.floor(exp) * 1000 + 700 - server.clock.now().getTime()) / 1000);
    const replay = await postForm(server, '/oauth2/token', form);

    expect(replay.status).toBe(401);
    expect(replay.body.error).toBe('invalid_client');
  });

  it('refuses an assertion addressed elsewhere or expired', async () => {
    const client = await adminCreateClient(server, {
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [publicJwk] },
    });
    const wrongAud = await assertion(client.client_id, 'https://other.example/token', {
      alg: 'RS256',
    });
    const expired = await assertion(client.client_id, server.issuer, { alg: 'RS256' }, -1);

    for (const jwt of [wrongAud, expired]) {
      const res = await postForm(server, '/oauth2/token', {
        grant_type: 'client_credentials',
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: jwt,
      });
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_client');
    }
  });

  it('lets a public client (none) revoke, but not introspect or use client_credentials', async () => {
    const client = await adminCreateClient(server, {
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: ['http://127.0.0.1/cb'],
    });

    const revocation = await postForm(server, '/oauth2/revocation', {
      client_id: client.client_id,
      token: 'whatever',
    });
    expect(revocation.status).toBe(200);
    const introspection = await postForm(server, '/oauth2/introspection', {
      client_id: client.client_id,
      token: 'whatever',
    });
    expect(introspection.status).toBe(401);
    expect(introspection.body.error).toBe('invalid_client');
    const cc = await postForm(server, '/oauth2/token', {
      client_id: client.client_id,
      grant_type: 'client_credentials',
    });
    expect(cc.status).toBe(400);
    expect(cc.body.error).toBe('unauthorized_client');
  });

  it('refuses Basic and body credentials together (RFC 6749 §2.3)', async () => {
    const client = await adminCreateClient(server, { grant_types: ['client_credentials'] });

    const res = await postForm(
      server,
      '/oauth2/token',
      {
        grant_type: 'client_credentials',
        client_id: client.client_id,
        client_secret: client.client_secret!,
      },
      basic(client.client_id, client.client_secret!),
    );

    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
  });

  it('stops accepting a secret as soon as it is rotated', async () => {
    const client = await adminCreateClient(server, { grant_types: ['client_credentials'] });

    const rotated = await admin(server).post(`/admin/v1/clients/${client.client_id}/secret`);

    expect(rotated.status).toBe(200);
    expect(
      (
        await postForm(
          server,
          '/oauth2/token',
          { grant_type: 'client_credentials' },
          basic(client.client_id, client.client_secret!),
        )
      ).status,
    ).toBe(401);
    expect(
      (
        await postForm(
          server,
          '/oauth2/token',
          { grant_type: 'client_credentials' },
          basic(client.client_id, rotated.body.client_secret),
        )
      ).status,
    ).toBe(200);
  });
});
