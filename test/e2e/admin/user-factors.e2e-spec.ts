import { Client } from 'pg';
import request from 'supertest';

import { admin, adminCreateUser } from '../../setup/oauth';
import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import { startTestServer, TestServer } from '../../setup/test-server';

const NOT_FOUND = { error: 'not_found', error_description: expect.any(String) };

/** CONTRACT §4: a user's factors through the admin API. */
describe('admin API: user factors', () => {
  let db: TestDatabase;
  let server: TestServer;
  let user: { id: string };

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
    user = await adminCreateUser(server, { username: 'fiona', password: 'correct horse battery' });
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it('adds a TOTP factor whose base32 secret of 160 bits is shown only in the answer', async () => {
    const res = await admin(server).post(`/admin/v1/users/${user.id}/factors`, { type: 'totp' });

    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'totp',
      secret: expect.stringMatching(/^[A-Z2-7]{32}$/),
      otpauth_uri: expect.any(String),
    });
    const uri = new URL(res.body.otpauth_uri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe(
      `/127.0.0.1:${new URL(server.origin).port}:fiona`,
    );
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      secret: res.body.secret,
      issuer: new URL(server.origin).host,
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });

    const listed = await admin(server).get(`/admin/v1/users/${user.id}/factors`);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({
      items: [
        { id: res.body.id, type: 'totp', created_at: expect.any(String), last_used_at: null },
      ],
    });
    expect(JSON.stringify(listed.body)).not.toContain(res.body.secret);
    // At rest the secret is a MASTER_KEY envelope, never the secret itself.
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      const rows = await pg.query('SELECT secret FROM user_factors WHERE id = $1', [res.body.id]);
      expect(rows.rows[0].secret).toMatch(/^v1\./);
      expect(rows.rows[0].secret).not.toContain(res.body.secret);
    } finally {
      await pg.end();
    }
  });

  it('removes a factor, and answers 404 for it afterwards', async () => {
    const created = await admin(server).post(`/admin/v1/users/${user.id}/factors`, {
      type: 'totp',
    });

    const removed = await admin(server).delete(
      `/admin/v1/users/${user.id}/factors/${created.body.id}`,
    );

    expect(removed.status).toBe(204);
    const again = await admin(server).delete(
      `/admin/v1/users/${user.id}/factors/${created.body.id}`,
    );
    expect(again.status).toBe(404);
    expect(again.body).toEqual(NOT_FOUND);
    const listed = await admin(server).get(`/admin/v1/users/${user.id}/factors`);
    expect(listed.body.items.map((f: { id: string }) => f.id)).not.toContain(created.body.id);
  });

  it('refuses an unknown type and unknown members with the fields named', async () => {
    const res = await admin(server).post(`/admin/v1/users/${user.id}/factors`, {
      type: 'sms',
      label: 'x',
    });

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description: expect.any(String),
      fields: expect.arrayContaining([
        expect.objectContaining({ field: 'type' }),
        expect.objectContaining({ field: 'label' }),
      ]),
    });
  });

  it('answers 404 for an unknown user or factor, and for ids that are no uuid', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';

    for (const res of [
      await admin(server).post(`/admin/v1/users/${unknown}/factors`, { type: 'totp' }),
      await admin(server).get(`/admin/v1/users/${unknown}/factors`),
      await admin(server).get('/admin/v1/users/not-a-uuid/factors'),
      await admin(server).delete(`/admin/v1/users/${user.id}/factors/${unknown}`),
      await admin(server).delete(`/admin/v1/users/${user.id}/factors/nope`),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body).toEqual(NOT_FOUND);
    }
  });

  it('lets an API key write factors with users:write and read them with admin:read only', async () => {
    const keyOf = async (scopes: string[]) =>
      (await admin(server).post('/admin/v1/api-keys', { name: 'k', scopes })).body.key as string;
    const reader = await keyOf(['admin:read']);
    const writer = await keyOf(['users:write']);
    const path = `/admin/v1/users/${user.id}/factors`;

    const readerPost = await request(server.http)
      .post(path)
      .set('Authorization', `Bearer ${reader}`)
      .send({ type: 'totp' });
    const writerPost = await request(server.http)
      .post(path)
      .set('Authorization', `Bearer ${writer}`)
      .send({ type: 'totp' });
    const readerGet = await request(server.http).get(path).set('Authorization', `Bearer ${reader}`);
    const writerGet = await request(server.http).get(path).set('Authorization', `Bearer ${writer}`);
    const readerDelete = await request(server.http)
      .delete(`${path}/${writerPost.body.id}`)
      .set('Authorization', `Bearer ${reader}`);

    expect(readerPost.status).toBe(403);
    expect(writerPost.status).toBe(201);
    expect(readerGet.status).toBe(200);
    expect(writerGet.status).toBe(403);
    expect(readerDelete.status).toBe(403);
  });

  it('removes the factors with their user', async () => {
    const other = await adminCreateUser(server, {
      username: 'gone',
      password: 'correct horse battery',
    });
    await admin(server).post(`/admin/v1/users/${other.id}/factors`, { type: 'totp' });

    expect((await admin(server).delete(`/admin/v1/users/${other.id}`)).status).toBe(204);

    const res = await admin(server).get(`/admin/v1/users/${other.id}/factors`);
    expect(res.status).toBe(404);
  });
});
