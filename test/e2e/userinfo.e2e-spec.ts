import { jwtVerify } from 'jose';
import request from 'supertest';

import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { adminCreateClient, adminCreateUser, basic, postForm, serverKeySet } from '../setup/oauth';
import { startTestServer, TestServer } from '../setup/test-server';

describe('userinfo', () => {
  let db: TestDatabase;
  let server: TestServer;
  let userId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
    const user = await adminCreateUser(server, {
      username: 'erin',
      password: 'erins long password',
      email: 'erin@example.com',
      email_verified: true,
      name: 'Erin Example',
      given_name: 'Erin',
      family_name: 'Example',
      phone_number: '+358401234567',
      phone_number_verified: false,
    });
    userId = user.id;
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  async function tokenFor(metadata: Record<string, unknown>, scope = 'openid') {
    const client = await adminCreateClient(server, {
      grant_types: ['password', 'client_credentials'],
      ...metadata,
    });
    const res = await postForm(
      server,
      '/oauth2/token',
      { grant_type: 'password', username: 'erin', password: 'erins long password', scope },
      basic(client.client_id, client.client_secret!),
    );
    expect(res.status).toBe(200);
    return { client, accessToken: res.body.access_token as string };
  }

  const USER_CLAIMS = {
    email: 'erin@example.com',
    email_verified: true,
    name: 'Erin Example',
    given_name: 'Erin',
    family_name: 'Example',
    phone_number: '+358401234567',
    phone_number_verified: false,
    // CONTRACT "Scopes and claims": openid alone releases every claim scope's claims.
    updated_at: expect.any(Number) as number,
    groups: [],
  };

  it('returns sub and the stored standard claims as JSON, by GET with a Bearer header', async () => {
    const { accessToken } = await tokenFor({});

    const res = await request(server.http)
      .get('/uas/oauth2/userinfo')
      .set('Authorization', `Bearer ${accessToken}`);

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ sub: userId, ...USER_CLAIMS });
  });

  it('accepts POST with the token in the form body, and with the userinfo scope', async () => {
    const { accessToken } = await tokenFor({}, 'userinfo');

    const res = await request(server.http)
      .post('/uas/oauth2/userinfo')
      .type('form')
      .send({ access_token: accessToken });

    expect(res.status).toBe(200);
    expect(res.body.sub).toBe(userId);
  });

  it.each(['RS256', 'HS256'])(
    'answers a signed %s JWT when the client registered userinfo_signed_response_alg',
    async (alg) => {
      const { client, accessToken } = await tokenFor({ userinfo_signed_response_alg: alg });

      const res = await request(server.http)
        .get('/uas/oauth2/userinfo')
        .set('Authorization', `Bearer ${accessToken}`);

      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/jwt/);
      const key =
        alg === 'HS256'
          ? new TextEncoder().encode(client.client_secret)
          : await serverKeySet(server);
      const { payload, protectedHeader } = await jwtVerify(
        res.text,
        key as Parameters<typeof jwtVerify>[1],
        {
          issuer: server.issuer,
          audience: client.client_id,
          algorithms: [alg],
        },
      );
      expect(protectedHeader.alg).toBe(alg);
      expect(payload).toEqual({
        sub: userId,
        ...USER_CLAIMS,
        iss: server.issuer,
        aud: client.client_id,
      });
    },
  );

  it('answers 401 with a Bearer challenge without an error code when no token is sent (RFC 6750 §3.1)', async () => {
    const res = await request(server.http).get('/uas/oauth2/userinfo');

    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(`Bearer realm="${server.issuer}"`);
  });

  it('answers 401 invalid_token for a bad token', async () => {
    const res = await request(server.http)
      .get('/uas/oauth2/userinfo')
      .set('Authorization', 'Bearer not.a.token');

    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(
      `Bearer realm="${server.issuer}", error="invalid_token"`,
    );
    expect(res.body).toEqual({ error: 'invalid_token', error_description: expect.any(String) });
  });

  it('answers 400 when the token is sent two ways', async () => {
    const { accessToken } = await tokenFor({});

    const res = await request(server.http)
      .post('/uas/oauth2/userinfo')
      .set('Authorization', `Bearer ${accessToken}`)
      .type('form')
      .send({ access_token: accessToken });

    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
  });

  it('answers 403 insufficient_scope for a token without openid or userinfo', async () => {
    const { client } = await tokenFor({});
    const cc = await postForm(
      server,
      '/oauth2/token',
      { grant_type: 'client_credentials' },
      basic(client.client_id, client.client_secret!),
    );

    const res = await request(server.http)
      .get('/uas/oauth2/userinfo')
      .set('Authorization', `Bearer ${cc.body.access_token}`);

    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toContain('error="insufficient_scope"');
    expect(res.body.error).toBe('insufficient_scope');
  });
});
