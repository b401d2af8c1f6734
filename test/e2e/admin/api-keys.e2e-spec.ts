import { Client } from 'pg';
import request from 'supertest';

import { admin } from '../../setup/oauth';
import { TestDatabase } from '../../setup/test-database';
import { TestServer } from '../../setup/test-server';
import { startDeployment, stopDeployment } from '../../setup/deployment';

const INSUFFICIENT_SCOPE = { error: 'insufficient_scope', error_description: expect.any(String) };
const INVALID_TOKEN = { error: 'invalid_token', error_description: expect.any(String) };

/** CONTRACT §4: admin API keys, a bearer for the admin API within their scopes. */
describe('admin API keys', () => {
  let db: TestDatabase;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    ({ db, a, b } = await startDeployment());
  });

  afterAll(() => stopDeployment({ db, a, b }));

  async function createKey(scopes: string[], name = 'job'): Promise<{ id: string; key: string }> {
    const res = await admin(a).post('/admin/v1/api-keys', { name, scopes });
    expect(res.status).toBe(201);
    return res.body;
  }

  const withKey = (server: TestServer, key: string) => {
    const agent = request(server.http);
    const auth = `Bearer ${key}`;
    return {
      get: (path: string) => agent.get(path).set('Authorization', auth),
      post: (path: string, body: object = {}) =>
        agent.post(path).set('Authorization', auth).send(body),
      delete: (path: string) => agent.delete(path).set('Authorization', auth),
    };
  };

  it('creates a key shown once, with a recognisable prefix, listed without the key', async () => {
    const res = await admin(a).post('/admin/v1/api-keys', {
      name: 'provisioning',
      scopes: ['users:write', 'admin:read'],
    });

    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'provisioning',
      scopes: ['users:write', 'admin:read'],
      created_at: expect.any(String),
      key: expect.stringMatching(/^uas_ak_[A-Za-z0-9_-]{43}$/),
    });
    const listed = await admin(a).get('/admin/v1/api-keys');
    expect(listed.status).toBe(200);
    const { key: _key, ...withoutKey } = res.body;
    expect(listed.body.items).toContainEqual(withoutKey);
    expect(JSON.stringify(listed.body)).not.toContain(res.body.key);
  });

  it('stores only the SHA-256 digest of the key', async () => {
    const { id, key } = await createKey(['admin:read']);

    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      const { rows } = await pg.query<Record<string, unknown>>(
        `SELECT * FROM api_keys WHERE id = $1`,
        [id],
      );
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows[0])).not.toContain(key);
      const digest = await pg.query<{ matches: boolean }>(
        `SELECT key_hash = sha256(convert_to($2, 'UTF8')) AS matches FROM api_keys WHERE id = $1`,
        [id, key],
      );
      expect(digest.rows[0].matches).toBe(true);
    } finally {
      await pg.end();
    }
  });

  it('lets a users:write key manage users and refuses it on /clients with 403 insufficient_scope', async () => {
    const { key } = await createKey(['users:write']);

    const created = await withKey(a, key).post('/admin/v1/users', {
      username: 'made-by-key',
      password: 'a long password 1',
    });
    expect(created.status).toBe(201);
    const refused = await withKey(a, key).post('/admin/v1/clients', {
      client_name: 'nope',
      redirect_uris: ['https://app.example.com/cb'],
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual(INSUFFICIENT_SCOPE);
    expect(refused.headers['www-authenticate']).toBe(
      'Bearer error="insufficient_scope", scope="clients:write"',
    );
    // Writing does not imply reading: GET needs admin:read.
    const read = await withKey(a, key).get('/admin/v1/clients');
    expect(read.status).toBe(403);
    expect(read.body).toEqual(INSUFFICIENT_SCOPE);
    const deleted = await withKey(a, key).delete(`/admin/v1/users/${created.body.id}`);
    expect(deleted.status).toBe(204);
  });

  it('lets an admin:read key read everything and write nothing', async () => {
    const { key } = await createKey(['admin:read']);

    for (const path of [
      '/admin/v1/clients',
      '/admin/v1/users',
      '/admin/v1/keys',
      '/admin/v1/saml-issuers',
    ]) {
      expect((await withKey(a, key).get(path)).status).toBe(200);
    }
    for (const path of ['/admin/v1/clients', '/admin/v1/users', '/admin/v1/keys/rotate']) {
      const res = await withKey(a, key).post(path, {});
      expect(res.status).toBe(403);
      expect(res.body).toEqual(INSUFFICIENT_SCOPE);
    }
  });

  it('never lets a key manage API keys, whatever its scopes', async () => {
    const every = [
      'admin:read',
      'clients:write',
      'users:write',
      'groups:write',
      'directories:write',
      'keys:write',
      'audit:read',
    ];
    const { id, key } = await createKey(every);

    const minted = await withKey(a, key).post('/admin/v1/api-keys', {
      name: 'escalation',
      scopes: every,
    });
    expect(minted.status).toBe(403);
    expect(minted.body).toEqual(INSUFFICIENT_SCOPE);
    expect((await withKey(a, key).get('/admin/v1/api-keys')).status).toBe(403);
    expect((await withKey(a, key).delete(`/admin/v1/api-keys/${id}`)).status).toBe(403);
  });

  it('refuses a deleted key at once on another instance', async () => {
    const { id, key } = await createKey(['admin:read']);
    expect((await withKey(b, key).get('/admin/v1/users')).status).toBe(200);

    expect((await admin(a).delete(`/admin/v1/api-keys/${id}`)).status).toBe(204);

    const res = await withKey(b, key).get('/admin/v1/users');
    expect(res.status).toBe(401);
    expect(res.body).toEqual(INVALID_TOKEN);
    expect((await admin(a).delete(`/admin/v1/api-keys/${id}`)).status).toBe(404);
  });

  it('refuses an unknown key with the prefix as an invalid token', async () => {
    const res = await withKey(a, `uas_ak_${'A'.repeat(43)}`).get('/admin/v1/users');

    expect(res.status).toBe(401);
    expect(res.body).toEqual(INVALID_TOKEN);
  });

  it('rejects unknown scopes and empty names with 400 and the fields', async () => {
    const res = await admin(a).post('/admin/v1/api-keys', { name: '', scopes: ['root'] });

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description: expect.any(String),
      fields: expect.arrayContaining([
        expect.objectContaining({ field: 'name' }),
        expect.objectContaining({ field: 'scopes' }),
      ]),
    });
  });

  it('still takes ADMIN_TOKEN on every route', async () => {
    expect((await admin(a).get('/admin/v1/clients')).status).toBe(200);
    expect((await admin(a).post('/admin/v1/keys/rotate', {})).status).toBe(201);
  });

  it('names the scope of every admin route in the OpenAPI document', async () => {
    const res = await request(a.http).get('/admin/v1/openapi.json');

    expect(res.status).toBe(200);
    const paths = res.body.paths as Record<string, Record<string, Record<string, unknown>>>;
    const scopeOf = (path: string, method: string) => paths[path][method]['x-required-scope'];
    expect(scopeOf('/admin/v1/clients', 'post')).toBe('clients:write');
    expect(scopeOf('/admin/v1/clients', 'get')).toBe('admin:read');
    expect(scopeOf('/admin/v1/users', 'post')).toBe('users:write');
    expect(scopeOf('/admin/v1/keys/rotate', 'post')).toBe('keys:write');
    expect(scopeOf('/admin/v1/saml-issuers', 'post')).toBe('clients:write');
    expect(scopeOf('/admin/v1/api-keys', 'post')).toBe('admin_token');
    for (const [path, operations] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect([path, method, typeof operation['x-required-scope']]).toEqual([
          path,
          method,
          'string',
        ]);
      }
    }
  });
});
