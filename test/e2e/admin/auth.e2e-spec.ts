import request from 'supertest';

import { ADMIN_AUTH } from '../../factories/admin.factory';
import { LogCapture } from '../../setup/log-capture';
import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import { startTestServer, TEST_ADMIN_TOKEN, TestServer } from '../../setup/test-server';

const INVALID_TOKEN = { error: 'invalid_token', error_description: expect.any(String) };

/** One route of each admin controller. */
const PROTECTED = [
  ['GET', '/admin/v1/clients'],
  ['POST', '/admin/v1/clients'],
  ['GET', '/admin/v1/clients/00000000-0000-4000-8000-000000000000'],
  ['PUT', '/admin/v1/clients/00000000-0000-4000-8000-000000000000'],
  ['DELETE', '/admin/v1/clients/00000000-0000-4000-8000-000000000000'],
  ['POST', '/admin/v1/clients/00000000-0000-4000-8000-000000000000/secret'],
  ['GET', '/admin/v1/users'],
  ['POST', '/admin/v1/users'],
  ['GET', '/admin/v1/users/00000000-0000-4000-8000-000000000000'],
  ['PATCH', '/admin/v1/users/00000000-0000-4000-8000-000000000000'],
  ['DELETE', '/admin/v1/users/00000000-0000-4000-8000-000000000000'],
  ['GET', '/admin/v1/keys'],
  ['POST', '/admin/v1/keys/rotate'],
] as const;

function send(server: TestServer, method: string, path: string) {
  const agent = request(server.http);
  switch (method) {
    case 'GET':
      return agent.get(path);
    case 'POST':
      return agent.post(path);
    case 'PUT':
      return agent.put(path);
    case 'PATCH':
      return agent.patch(path);
    default:
      return agent.delete(path);
  }
}

describe('admin API authentication', () => {
  let db: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it.each(PROTECTED)(
    'answers %s %s without a token with 401 invalid_token and a Bearer challenge',
    async (method, path) => {
      const res = await send(server, method, path);

      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual(INVALID_TOKEN);
    },
  );

  it.each(PROTECTED)(
    'answers %s %s with a wrong token with 401 invalid_token',
    async (method, path) => {
      const res = await send(server, method, path).set(
        'Authorization',
        `Bearer ${TEST_ADMIN_TOKEN}x`,
      );

      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      expect(res.body).toEqual(INVALID_TOKEN);
    },
  );

  it('refuses the right token under another scheme', async () => {
    const res = await request(server.http)
      .get('/admin/v1/keys')
      .set('Authorization', `Basic ${TEST_ADMIN_TOKEN}`);

    expect(res.status).toBe(401);
    expect(res.body).toEqual(INVALID_TOKEN);
  });

  it('refuses a prefix of the right token', async () => {
    const res = await request(server.http)
      .get('/admin/v1/keys')
      .set('Authorization', `Bearer ${TEST_ADMIN_TOKEN.slice(0, -1)}`);

    expect(res.status).toBe(401);
    expect(res.body).toEqual(INVALID_TOKEN);
  });

  it('accepts the right token, with the scheme in any letter case', async () => {
    const res = await request(server.http)
      .get('/admin/v1/keys')
      .set('Authorization', `bearer ${TEST_ADMIN_TOKEN}`);

    expect(res.status).toBe(200);
  });

  it('serves the OpenAPI document without a token, listing every admin route', async () => {
    const res = await request(server.http).get('/admin/v1/openapi.json');

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths).sort()).toEqual(
      expect.arrayContaining([
        '/admin/v1/clients',
        '/admin/v1/clients/{client_id}',
        '/admin/v1/clients/{client_id}/secret',
        '/admin/v1/users',
        '/admin/v1/users/{id}',
        '/admin/v1/keys',
        '/admin/v1/keys/rotate',
      ]),
    );
    expect(Object.keys(res.body.paths['/admin/v1/clients/{client_id}']).sort()).toEqual([
      'delete',
      'get',
      'put',
    ]);
    expect(Object.keys(res.body.paths['/admin/v1/users/{id}']).sort()).toEqual([
      'delete',
      'get',
      'patch',
    ]);
    expect(Object.keys(res.body.paths).filter((p) => !p.startsWith('/admin/'))).toEqual([]);
  });

  it('documents the request bodies with their fields', async () => {
    const res = await request(server.http).get('/admin/v1/openapi.json');
    const schemas = res.body.components.schemas;

    expect(Object.keys(schemas.ClientCreateDto.properties)).toEqual(
      expect.arrayContaining([
        'redirect_uris',
        'grant_types',
        'token_endpoint_auth_method',
        'jwks',
        'jwks_uri',
      ]),
    );
    expect(schemas.UserCreateDto.required).toEqual(
      expect.arrayContaining(['username', 'password']),
    );
    expect(res.body.components.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
  });

  it('serves a browsable page at /admin/docs without a token', async () => {
    const res = await request(server.http).get('/admin/docs');

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('swagger-ui');
  });

  it('serves the Swagger UI assets the page loads', async () => {
    const page = await request(server.http).get('/admin/docs/');
    const scripts = [...page.text.matchAll(/src="([^"]+\.js)"/g)].map((m) => m[1]);

    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      const res = await request(server.http).get(
        new URL(script, `${server.origin}/admin/docs/`).pathname,
      );
      expect({ script, status: res.status }).toEqual({ script, status: 200 });
    }
  });

  it('keeps the protocol endpoints free of the admin token', async () => {
    const res = await request(server.http)
      .get('/uas/oauth2/metadata.jwks')
      .set('Authorization', ADMIN_AUTH);

    expect(res.status).toBe(200);
  });
});

describe('admin API without ADMIN_TOKEN', () => {
  let db: TestDatabase;
  let server: TestServer;
  let printed: string[];

  beforeAll(async () => {
    db = await createTestDatabase();
    // Printed where the logs go (stdout in production), in their format: JSON lines by default.
    const logs = new LogCapture();
    server = await startTestServer({
      databaseUrl: db.url,
      env: { ADMIN_TOKEN: '' },
      logDestination: logs,
    });
    printed = logs.lines().map((line) => (JSON.parse(line) as { msg: string }).msg);
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  function generatedToken(): string {
    const lines = printed.filter((l) => l.startsWith('admin token (this process only): '));
    expect(lines).toHaveLength(1);
    return lines[0].slice('admin token (this process only): '.length);
  }

  it('prints one generated token of 256 bits, once', () => {
    expect(generatedToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('accepts the generated token', async () => {
    const res = await request(server.http)
      .get('/admin/v1/keys')
      .set('Authorization', `Bearer ${generatedToken()}`);

    expect(res.status).toBe(200);
  });

  it('refuses the test token, which is not configured here', async () => {
    const res = await request(server.http).get('/admin/v1/keys').set('Authorization', ADMIN_AUTH);

    expect(res.status).toBe(401);
  });
});
