import { admin } from '../../factories/admin.factory';
import { createClient } from '../../factories/client.factory';
import { makeSamlIssuer } from '../../factories/saml-assertion.factory';
import { createUser } from '../../factories/user.factory';
import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import { startTestServer, TestServer } from '../../setup/test-server';

/**
 * CONTRACT §4: unknown fields are rejected, not ignored. `__proto__`, `constructor` and
 * `prototype` are no exception: JSON.parse makes them own members, and an object merged or
 * copied with them can change what every object inherits (prototype pollution). Each body
 * below is sent as raw JSON, since a JavaScript object literal would turn `__proto__` into its
 * prototype instead of a member.
 */
describe('admin API: prototype members in a body', () => {
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

  type Method = 'post' | 'put' | 'patch';
  interface Route {
    readonly name: string;
    readonly method: Method;
    path(): Promise<string>;
    /** A body the route accepts, as JSON text without its closing brace. */
    body(): Promise<string>;
    readonly ok: number;
  }

  const clientBody = '{"grant_types": ["client_credentials"], "client_name": "a"';
  const routes: Route[] = [
    {
      name: 'POST /clients',
      method: 'post',
      path: async () => '/admin/v1/clients',
      body: async () => clientBody,
      ok: 201,
    },
    {
      name: 'PUT /clients/{id}',
      method: 'put',
      path: async () =>
        `/admin/v1/clients/${(await createClient(server, { grant_types: ['client_credentials'] })).client_id}`,
      body: async () => clientBody,
      ok: 200,
    },
    {
      name: 'POST /users',
      method: 'post',
      path: async () => '/admin/v1/users',
      body: async () =>
        `{"username": "u${Math.random().toString(36).slice(2)}", "password": "a long enough password"`,
      ok: 201,
    },
    {
      name: 'PATCH /users/{id}',
      method: 'patch',
      path: async () => `/admin/v1/users/${(await createUser(server)).id}`,
      body: async () => '{"name": "Alice"',
      ok: 200,
    },
    {
      name: 'POST /saml-issuers',
      method: 'post',
      path: async () => '/admin/v1/saml-issuers',
      body: async () => {
        const issuer = await makeSamlIssuer(`urn:uuid:${crypto.randomUUID()}`);
        return `{"entity_id": ${JSON.stringify(issuer.entityId)}, "certificates": [${JSON.stringify(issuer.certificatePem)}]`;
      },
      ok: 201,
    },
    {
      name: 'POST /keys/rotate',
      method: 'post',
      path: async () => '/admin/v1/keys/rotate',
      body: async () => '{"activate_in_seconds": 60',
      ok: 201,
    },
  ];

  const send = (method: Method, path: string, json: string) =>
    admin(server)[method](path).set('Content-Type', 'application/json').send(json);

  describe.each(routes)('$name', (route) => {
    it('accepts the plain body (the control)', async () => {
      const res = await send(route.method, await route.path(), `${await route.body()}}`);

      expect(res.status).toBe(route.ok);
    });

    it.each(['__proto__', 'constructor', 'prototype'])(
      'refuses a top-level %s member with 400 naming it',
      async (member) => {
        const res = await send(
          route.method,
          await route.path(),
          `${await route.body()}, "${member}": {"polluted": true}}`,
        );

        expect(res.status).toBe(400);
        expect(res.body).toEqual({
          error: expect.stringMatching(/^invalid_(request|client_metadata)$/),
          error_description: expect.any(String),
          fields: [{ field: member, problems: ['is not a known field'] }],
        });
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      },
    );
  });

  it.each([
    [
      'POST /users address',
      '/admin/v1/users',
      '{"username": "nested1", "password": "a long enough password", "address": {"locality": "Espoo", "__proto__": {"polluted": true}}}',
      'address.__proto__',
    ],
    [
      'POST /users address constructor',
      '/admin/v1/users',
      '{"username": "nested2", "password": "a long enough password", "address": {"constructor": {"prototype": {"polluted": true}}}}',
      'address.constructor',
    ],
    [
      'POST /clients jwks',
      '/admin/v1/clients',
      '{"grant_types": ["client_credentials"], "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [{"kty": "EC", "__proto__": {"polluted": true}}]}}',
      'jwks.keys.0.__proto__',
    ],
  ])(
    'refuses a nested prototype member (%s) with 400 naming its path',
    async (_name, path, json, field) => {
      const res = await send('post', path, json);

      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: expect.stringMatching(/^invalid_(request|client_metadata)$/),
        error_description: expect.any(String),
        fields: [{ field, problems: ['is not a known field'] }],
      });
    },
  );
});
