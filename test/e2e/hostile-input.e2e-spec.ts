import request from 'supertest';

import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { admin, adminCreateClient, adminCreateUser, basic, postForm } from '../setup/oauth';
import { startTestServer, TestServer } from '../setup/test-server';

/** Input crafted to reach a 500 gets a 400 naming the problem instead (CONTRACT §3, §4). */
describe('hostile input', () => {
  let db: TestDatabase;
  let server: TestServer;
  let auth: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
    const client = await adminCreateClient(server, {
      grant_types: ['password', 'client_credentials'],
    });
    auth = basic(client.client_id, client.client_secret!);
    await adminCreateUser(server, { username: 'ivy', password: 'ivys long password' });
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it('refuses a NUL byte in a form parameter with invalid_request', async () => {
    const res = await postForm(
      server,
      '/oauth2/token',
      { grant_type: 'password', username: 'iv\u0000y', password: 'x' },
      auth,
    );

    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
  });

  it('refuses a NUL byte in admin JSON with 400, storing nothing', async () => {
    const res = await admin(server).post('/admin/v1/clients', {
      client_name: 'bad\u0000name',
      grant_types: ['client_credentials'],
    });

    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
    const list = await admin(server).get('/admin/v1/clients');
    expect(
      list.body.items.some((c: { client_name?: string }) => c.client_name?.startsWith('bad')),
    ).toBe(false);
  });

  it('refuses deeply nested admin JSON with 400 instead of overflowing the stack', async () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;

    const res = await request(server.http)
      .post('/admin/v1/users')
      .set('Authorization', `Bearer ${server.config.admin.token}`)
      .set('Content-Type', 'application/json')
      .send(deep);

    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
  });

  it('answers a malformed Bearer header at userinfo with 400 invalid_request (RFC 6750 §3.1)', async () => {
    const res = await request(server.http)
      .get('/uas/oauth2/userinfo')
      .set('Authorization', 'Bearer two tokens');

    expect(res.status).toBe(400);
    expect(res.headers['www-authenticate']).toContain('error="invalid_request"');
  });

  it('refuses userinfo for a client_credentials token, which represents no end-user', async () => {
    const cc = await postForm(
      server,
      '/oauth2/token',
      { grant_type: 'client_credentials', scope: 'openid' },
      auth,
    );

    const res = await request(server.http)
      .get('/uas/oauth2/userinfo')
      .set('Authorization', `Bearer ${cc.body.access_token}`);

    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_token');
  });
});
