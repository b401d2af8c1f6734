import { jwtVerify } from 'jose';

import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import { adminCreateClient, basic, postForm, serverKeySet } from '../../setup/oauth';
import { startTestServer, TestServer } from '../../setup/test-server';

describe('client_credentials grant', () => {
  let db: TestDatabase;
  let server: TestServer;
  let client: { client_id: string; client_secret?: string };

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
    client = await adminCreateClient(server, {
      grant_types: ['client_credentials'],
      client_name: 'service',
    });
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  const token = (
    params: Record<string, string>,
    auth = basic(client.client_id, client.client_secret!),
  ) => postForm(server, '/oauth2/token', { grant_type: 'client_credentials', ...params }, auth);

  it('issues an RFC 9068 access token for the client itself, with no refresh or ID token', async () => {
    const res = await token({});

    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['pragma']).toBe('no-cache');
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: '',
    });
    const { payload, protectedHeader } = await jwtVerify(
      res.body.access_token,
      await serverKeySet(server),
      {
        issuer: server.issuer,
        audience: client.client_id,
        typ: 'at+jwt',
        currentDate: server.clock.now(),
      },
    );
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toEqual({
      iss: server.issuer,
      sub: client.client_id,
      aud: client.client_id,
      client_id: client.client_id,
      scope: '',
      iat: server.clock.nowSeconds(),
      exp: server.clock.nowSeconds() + 3600,
      jti: expect.any(String),
    });
  });

  it('grants a requested supported scope but never an ID token', async () => {
    const res = await token({ scope: 'openid' });

    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('openid');
    expect(res.body.id_token).toBeUndefined();
    expect(res.body.refresh_token).toBeUndefined();
  });

  it('ignores a scope value the server does not know (OpenID Connect Core §3.1.2.1)', async () => {
    const res = await token({ scope: 'openid admin' });

    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('openid');
  });

  it('leaves out a scope outside the client registration (RFC 6749 §3.3)', async () => {
    const narrow = await adminCreateClient(server, {
      grant_types: ['client_credentials'],
      scope: 'userinfo',
    });

    const res = await token(
      { scope: 'openid userinfo' },
      basic(narrow.client_id, narrow.client_secret!),
    );

    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('userinfo');
  });

  it('answers unauthorized_client to a client without the grant', async () => {
    const other = await adminCreateClient(server, { grant_types: ['password'] });

    const res = await token({}, basic(other.client_id, other.client_secret!));

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'unauthorized_client',
      error_description: expect.any(String),
    });
  });

  it('answers 401 invalid_client with a Basic challenge for a wrong secret, and issues nothing', async () => {
    const res = await token({}, basic(client.client_id, 'wrong-secret'));

    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Basic realm=/);
    expect(res.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
  });
});
