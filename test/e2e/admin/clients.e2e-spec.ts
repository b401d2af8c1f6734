import { generateKeyPairSync } from 'node:crypto';

import { Client } from 'pg';
import request from 'supertest';

import { ClientRegistry } from '@app/clients';
import { hashToken } from '@app/crypto';

import { admin, discoveryDocument } from '../../factories/admin.factory';
import { createClient } from '../../factories/client.factory';
import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import { startTestServer, TestServer } from '../../setup/test-server';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;
const UNKNOWN_ID = '6d1f3a0e-2c4b-4f7a-9e1d-000000000000';
const WEB = { redirect_uris: ['https://app.example.com/cb'] };
const CLIENT_METADATA_ERROR = {
  error: 'invalid_client_metadata',
  error_description: expect.any(String),
  fields: expect.any(Array),
};
const NOT_FOUND = { error: 'not_found', error_description: expect.any(String) };

function rsaPublicJwk(use: 'sig' | 'enc'): Record<string, unknown> {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    ...(publicKey.export({ format: 'jwk' }) as Record<string, unknown>),
    use,
    kid: `${use}-1`,
  };
}

describe('admin API: clients', () => {
  let db: TestDatabase;
  let server: TestServer;
  let doc: Record<string, string[]>;
  const encKey = rsaPublicJwk('enc');
  const sigKey = rsaPublicJwk('sig');

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
    doc = await discoveryDocument(server);
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  async function clientCount(): Promise<number> {
    const res = await admin(server).get('/admin/v1/clients?limit=200');
    return res.body.items.length;
  }

  /** Expects a 400 with `code` naming `field`, and that nothing was stored. */
  async function expectRefused(
    metadata: unknown,
    field: string,
    code = 'invalid_client_metadata',
  ): Promise<void> {
    const before = await clientCount();

    const res = await admin(server)
      .post('/admin/v1/clients')
      .send(metadata as object);

    expect({ status: res.status, body: res.body }).toEqual({
      status: 400,
      body: {
        error: code,
        error_description: expect.any(String),
        fields: expect.arrayContaining([{ field, problems: expect.any(Array) }]),
      },
    });
    expect(await clientCount()).toBe(before);
  }

  describe('POST /admin/v1/clients', () => {
    it('registers a client with defaults, a UUID client_id and a secret', async () => {
      const res = await admin(server)
        .post('/admin/v1/clients')
        .send({ ...WEB, client_name: 'Web app' });

      expect(res.status).toBe(201);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({
        client_id: expect.stringMatching(UUID),
        client_secret: expect.stringMatching(SECRET),
        client_id_issued_at: server.clock.nowSeconds(),
        client_secret_expires_at: 0,
        client_name: 'Web app',
        redirect_uris: ['https://app.example.com/cb'],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      });
    });

    it('issues a different client_id and secret each time', async () => {
      const [a, b] = [await createClient(server, WEB), await createClient(server, WEB)];

      expect(a.client_id).not.toBe(b.client_id);
      expect(a.client_secret).not.toBe(b.client_secret);
    });

    it('keeps the secret only encrypted and hashed at rest', async () => {
      const created = await createClient(server, WEB);
      const pg = new Client({ connectionString: db.url.replace(/[?&]embedded=pglite/, '') });
      await pg.connect();
      try {
        const { rows } = await pg.query(
          'SELECT secret_encrypted, secret_hash, metadata::text FROM clients WHERE client_id = $1',
          [created.client_id],
        );

        expect(rows[0].secret_encrypted).toMatch(/^v1\./);
        expect(rows[0].secret_encrypted).not.toContain(created.client_secret);
        expect(rows[0].metadata).not.toContain(created.client_secret);
        expect(rows[0].secret_hash).toEqual(hashToken(created.client_secret!));
      } finally {
        await pg.end();
      }
    });

    it('accepts every grant type of grant_types_supported', async () => {
      const results = await Promise.all(
        doc.grant_types_supported.map(async (grant) => {
          const metadata =
            grant === 'authorization_code'
              ? { ...WEB, grant_types: [grant] }
              : { grant_types: [grant] };
          const res = await admin(server).post('/admin/v1/clients').send(metadata);
          return { grant, status: res.status, grant_types: res.body.grant_types };
        }),
      );

      expect(results).toEqual(
        doc.grant_types_supported.map((grant) => ({ grant, status: 201, grant_types: [grant] })),
      );
    });

    it('accepts every method of token_endpoint_auth_methods_supported, with a secret only for secret methods', async () => {
      const results = await Promise.all(
        doc.token_endpoint_auth_methods_supported.map(async (method) => {
          const keys = method === 'private_key_jwt' ? { jwks: { keys: [sigKey] } } : {};
          const res = await admin(server)
            .post('/admin/v1/clients')
            .send({ ...WEB, ...keys, token_endpoint_auth_method: method });
          return { method, status: res.status, hasSecret: 'client_secret' in res.body };
        }),
      );

      const usesSecret = (m: string) => m.startsWith('client_secret_');
      expect(results).toEqual(
        doc.token_endpoint_auth_methods_supported.map((method) => ({
          method,
          status: 201,
          hasSecret: usesSecret(method),
        })),
      );
    });

    it('accepts every advertised signing algorithm of ID tokens, userinfo and request objects', async () => {
      const members = [
        ['id_token_signed_response_alg', 'id_token_signing_alg_values_supported'],
        ['userinfo_signed_response_alg', 'userinfo_signing_alg_values_supported'],
        ['request_object_signing_alg', 'request_object_signing_alg_values_supported'],
      ];
      const cases = members.flatMap(([field, list]) => doc[list].map((alg) => ({ field, alg })));

      const results = await Promise.all(
        cases.map(async ({ field, alg }) => {
          const res = await admin(server)
            .post('/admin/v1/clients')
            .send({ ...WEB, [field]: alg });
          return { field, alg, status: res.status, stored: res.body[field] };
        }),
      );

      expect(results).toEqual(
        cases.map(({ field, alg }) => ({ field, alg, status: 201, stored: alg })),
      );
    });

    it('accepts every advertised encryption alg and enc for a client with an encryption key', async () => {
      const members = [
        ['id_token_encrypted_response', 'id_token_encryption'],
        ['userinfo_encrypted_response', 'userinfo_encryption'],
        ['request_object_encryption', 'request_object_encryption'],
      ];
      const cases = members.flatMap(([field, list]) => [
        ...doc[`${list}_alg_values_supported`].map((alg) => ({ [`${field}_alg`]: alg })),
        ...doc[`${list}_enc_values_supported`].map((enc) => ({
          [`${field}_alg`]: doc[`${list}_alg_values_supported`][0],
          [`${field}_enc`]: enc,
        })),
      ]);

      const results = await Promise.all(
        cases.map(async (member) => {
          const res = await admin(server)
            .post('/admin/v1/clients')
            .send({ ...WEB, jwks: { keys: [sigKey, encKey] }, ...member });
          return { member, status: res.status };
        }),
      );

      expect(results).toEqual(cases.map((member) => ({ member, status: 201 })));
    });

    it('accepts scope values of scopes_supported', async () => {
      const scope = doc.scopes_supported.join(' ');

      const res = await admin(server)
        .post('/admin/v1/clients')
        .send({ ...WEB, scope });

      expect(res.status).toBe(201);
      expect(res.body.scope).toBe(scope);
    });

    it('accepts loopback http redirect URIs', async () => {
      const uris = ['http://127.0.0.1:8400/cb', 'http://[::1]:8400/cb', 'http://localhost:8400/cb'];

      const res = await admin(server).post('/admin/v1/clients').send({ redirect_uris: uris });

      expect(res.status).toBe(201);
      expect(res.body.redirect_uris).toEqual(uris);
    });
  });

  describe('invalid metadata (nothing is stored)', () => {
    it('refuses a grant type that is never supported', async () => {
      await expectRefused(
        { ...WEB, grant_types: ['authorization_code', 'implicit'] },
        'grant_types[1]',
      );
    });

    it('refuses a response type that is never supported', async () => {
      await expectRefused({ ...WEB, response_types: ['code', 'token'] }, 'response_types[1]');
    });

    it('refuses an unknown auth method', async () => {
      await expectRefused(
        { ...WEB, token_endpoint_auth_method: 'tls_client_auth' },
        'token_endpoint_auth_method',
      );
    });

    it('refuses unsigned ID tokens (alg none)', async () => {
      await expectRefused(
        { ...WEB, id_token_signed_response_alg: 'none' },
        'id_token_signed_response_alg',
      );
    });

    it('refuses unsigned request objects (alg none)', async () => {
      await expectRefused(
        { ...WEB, request_object_signing_alg: 'none' },
        'request_object_signing_alg',
      );
    });

    it('refuses a scope value outside scopes_supported', async () => {
      await expectRefused({ ...WEB, scope: 'openid admin' }, 'scope');
    });

    it('refuses a redirect URI with a fragment as invalid_redirect_uri', async () => {
      await expectRefused(
        { redirect_uris: ['https://app.example.com/cb#frag'] },
        'redirect_uris[0]',
        'invalid_redirect_uri',
      );
    });

    it('refuses a relative redirect URI', async () => {
      await expectRefused({ redirect_uris: ['/cb'] }, 'redirect_uris[0]', 'invalid_redirect_uri');
    });

    it('refuses a plain-http redirect URI on a remote host', async () => {
      await expectRefused(
        { redirect_uris: ['https://ok.example.com/cb', 'http://app.example.com/cb'] },
        'redirect_uris[1]',
        'invalid_redirect_uri',
      );
    });

    it('refuses the authorization_code grant without a redirect URI', async () => {
      await expectRefused({}, 'redirect_uris');
    });

    it('refuses authorization_code without the code response type', async () => {
      await expectRefused({ ...WEB, response_types: [] }, 'response_types');
    });

    it('refuses jwks together with jwks_uri', async () => {
      await expectRefused(
        { ...WEB, jwks: { keys: [sigKey] }, jwks_uri: 'https://app.example.com/jwks' },
        'jwks',
      );
    });

    it('refuses a plain-http jwks_uri on a remote host', async () => {
      await expectRefused({ ...WEB, jwks_uri: 'http://app.example.com/jwks' }, 'jwks_uri');
    });

    it('refuses jwks that is not a JWK Set', async () => {
      await expectRefused({ ...WEB, jwks: { key: sigKey } }, 'jwks');
    });

    it('refuses a private key in jwks', async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

      await expectRefused(
        { ...WEB, jwks: { keys: [privateKey.export({ format: 'jwk' })] } },
        'jwks.keys[0]',
      );
    });

    it('refuses a symmetric key in jwks', async () => {
      await expectRefused(
        { ...WEB, jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } },
        'jwks.keys[0]',
      );
    });

    it('refuses private_key_jwt without keys', async () => {
      await expectRefused(
        { ...WEB, token_endpoint_auth_method: 'private_key_jwt' },
        'token_endpoint_auth_method',
      );
    });

    it('refuses an enc without its alg', async () => {
      await expectRefused(
        { ...WEB, id_token_encrypted_response_enc: 'A128CBC-HS256' },
        'id_token_encrypted_response_enc',
      );
    });

    it('refuses RSA encryption of ID tokens without a client encryption key', async () => {
      await expectRefused(
        { ...WEB, jwks: { keys: [sigKey] }, id_token_encrypted_response_alg: 'RSA-OAEP' },
        'id_token_encrypted_response_alg',
      );
    });

    it('refuses HS256 ID tokens for a public client', async () => {
      const res = await admin(server)
        .post('/admin/v1/clients')
        .send({
          ...WEB,
          token_endpoint_auth_method: 'none',
          id_token_signed_response_alg: 'HS256',
        });

      expect(res.status).toBe(400);
      expect(res.body).toEqual(CLIENT_METADATA_ERROR);
    });

    it('refuses the client_credentials grant for a public client', async () => {
      const res = await admin(server)
        .post('/admin/v1/clients')
        .send({ token_endpoint_auth_method: 'none', grant_types: ['client_credentials'] });

      expect(res.status).toBe(400);
      expect(res.body).toEqual(CLIENT_METADATA_ERROR);
    });

    it('lists every offending field in one answer', async () => {
      const res = await admin(server)
        .post('/admin/v1/clients')
        .send({ redirect_uris: ['/cb'], grant_types: ['implicit'], scope: 'admin' });

      expect(res.status).toBe(400);
      expect(res.body.fields.map((f: { field: string }) => f.field).sort()).toEqual([
        'grant_types[0]',
        'redirect_uris[0]',
        'scope',
      ]);
    });
  });

  describe('redirect URIs, jwks_uri and client keys an attacker could exploit (CONTRACT §4)', () => {
    it.each([
      ['a wildcard host', 'https://*.example.com/cb'],
      ['a wildcard path', 'https://app.example.com/*'],
      ['a userinfo part', 'https://user:pw@app.example.com/cb'],
      ['a host hidden behind userinfo', 'https://app.example.com@evil.example.net/cb'],
      ['a query carrying code', 'https://app.example.com/cb?code=planted'],
      ['a query carrying state', 'https://app.example.com/cb?state=planted'],
      ['a query carrying error', 'https://app.example.com/cb?error=access_denied'],
      ['a query carrying iss', 'https://app.example.com/cb?iss=https%3A%2F%2Fevil.example.net'],
      ['more than 2,000 characters', `https://app.example.com/${'a'.repeat(1977)}`],
      // An IRI, a space, a control character: no exact comparison, and no Location header.
      ['Unicode in its path', 'https://app.example.com/cb/日本'],
      ['a space', 'https://app.example.com/my cb'],
      ['a tab', 'https://app.example.com/cb\t'],
    ])('refuses a redirect URI with %s', async (_, uri) => {
      await expectRefused({ redirect_uris: [uri] }, 'redirect_uris[0]', 'invalid_redirect_uri');
    });

    it.each([
      ['the cloud metadata address', 'https://169.254.169.254/latest/meta-data/'],
      ['an IPv4-mapped link-local address', 'https://[::ffff:169.254.169.254]/jwks'],
      ['this host (0.0.0.0)', 'https://0.0.0.0:8443/jwks'],
      ['a cloud-metadata host name', 'https://metadata.google.internal/computeMetadata/v1/'],
    ])('refuses a jwks_uri naming %s', async (_, uri) => {
      await expectRefused({ ...WEB, jwks_uri: uri }, 'jwks_uri');
    });

    it('refuses an inline RSA key shorter than 2048 bits', async () => {
      const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
      const shortKey = {
        ...(publicKey.export({ format: 'jwk' }) as Record<string, unknown>),
        use: 'sig',
        kid: 'short',
      };

      await expectRefused(
        {
          ...WEB,
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [sigKey, shortKey] },
        },
        'jwks.keys[1]',
      );
    });

    it('refuses the same on replace (PUT)', async () => {
      const created = await createClient(server, WEB);

      const res = await admin(server)
        .put(`/admin/v1/clients/${created.client_id}`)
        .send({ redirect_uris: ['https://app.example.com/cb?code=x'] });

      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: 'invalid_redirect_uri',
        error_description: expect.any(String),
        fields: [{ field: 'redirect_uris[0]', problems: expect.any(Array) }],
      });
    });
  });

  describe('malformed requests', () => {
    it('refuses an unknown field instead of ignoring it', async () => {
      const res = await admin(server)
        .post('/admin/v1/clients')
        .send({ ...WEB, logo_uri: 'https://app.example.com/logo.png' });

      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: 'invalid_client_metadata',
        error_description: expect.any(String),
        fields: [{ field: 'logo_uri', problems: ['is not a known field'] }],
      });
    });

    it('refuses a client_secret chosen by the caller', async () => {
      await expectRefused({ ...WEB, client_secret: 'my-own-secret' }, 'client_secret');
    });

    it.each([
      [
        'redirect_uris as a string',
        { redirect_uris: 'https://app.example.com/cb' },
        'redirect_uris',
      ],
      ['a number as client_name', { ...WEB, client_name: 5 }, 'client_name'],
      ['grant_types with a number', { ...WEB, grant_types: [1] }, 'grant_types'],
      ['jwks as an array', { ...WEB, jwks: [] }, 'jwks'],
      ['scope as an array', { ...WEB, scope: ['openid'] }, 'scope'],
    ])('refuses %s', async (_, metadata, field) => {
      await expectRefused(metadata, field);
    });

    it('answers malformed JSON with 400 invalid_request', async () => {
      const res = await admin(server)
        .post('/admin/v1/clients')
        .set('Content-Type', 'application/json')
        .send('{"redirect_uris": [');

      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
    });

    it('answers a JSON array body with 400', async () => {
      const res = await admin(server).post('/admin/v1/clients').send([WEB]);

      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        ...CLIENT_METADATA_ERROR,
        fields: [{ field: 'body', problems: ['must be a JSON object'] }],
      });
    });

    it('answers a body over 64 KB with 413', async () => {
      const res = await admin(server)
        .post('/admin/v1/clients')
        .send({ ...WEB, client_name: 'x'.repeat(70 * 1024) });

      expect(res.status).toBe(413);
      expect(res.body).toEqual({
        error: 'payload_too_large',
        error_description: expect.any(String),
      });
    });
  });

  describe('GET /admin/v1/clients/{client_id}', () => {
    it('answers the client without its secret', async () => {
      const created = await createClient(server, { ...WEB, client_name: 'Reader' });

      const res = await admin(server).get(`/admin/v1/clients/${created.client_id}`);

      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({
        client_id: created.client_id,
        client_id_issued_at: created.client_id_issued_at,
        client_name: 'Reader',
        redirect_uris: WEB.redirect_uris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      });
    });

    it('answers 404 for an unknown client', async () => {
      const res = await admin(server).get(`/admin/v1/clients/${UNKNOWN_ID}`);

      expect(res.status).toBe(404);
      expect(res.body).toEqual(NOT_FOUND);
    });

    it('answers 404, not 500, for an id that is not a UUID', async () => {
      const res = await admin(server).get("/admin/v1/clients/client1'--");

      expect(res.status).toBe(404);
      expect(res.body).toEqual(NOT_FOUND);
    });
  });

  describe('GET /admin/v1/clients', () => {
    it('pages through every client with an opaque cursor, never showing secrets', async () => {
      for (let i = 0; i < 3; i += 1) await createClient(server, WEB);
      const total = await clientCount();

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: request.Response = await admin(server).get(
          `/admin/v1/clients?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        for (const item of res.body.items) {
          expect(item).not.toHaveProperty('client_secret');
          seen.push(item.client_id);
        }
        cursor = res.body.next_cursor;
        pages += 1;
      } while (cursor !== null);

      expect(new Set(seen).size).toBe(total);
      expect(pages).toBe(Math.ceil(total / 2));
    });

    it('answers {items, next_cursor: null} when everything fits', async () => {
      const res = await admin(server).get('/admin/v1/clients?limit=200');

      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['items', 'next_cursor']);
      expect(res.body.next_cursor).toBeNull();
    });

    it.each([
      'limit=0',
      'limit=201',
      'limit=ten',
      'limit=1.5',
      'cursor=bm90LWEtY3Vyc29y',
      'page=2',
    ])('refuses ?%s with 400 invalid_request', async (query) => {
      const res = await admin(server).get(`/admin/v1/clients?${query}`);

      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: 'invalid_request',
        error_description: expect.any(String),
        fields: expect.any(Array),
      });
    });
  });

  describe('PUT /admin/v1/clients/{client_id}', () => {
    it('replaces the whole metadata, keeping id, issue time and secret', async () => {
      const created = await createClient(server, {
        ...WEB,
        client_name: 'Before',
        scope: doc.scopes_supported[0],
      });
      server.clock.advance(60);

      const res = await admin(server)
        .put(`/admin/v1/clients/${created.client_id}`)
        .send({ redirect_uris: ['https://app.example.com/other'] });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        client_id: created.client_id,
        client_id_issued_at: created.client_id_issued_at,
        redirect_uris: ['https://app.example.com/other'],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      });
      expect((await admin(server).get(`/admin/v1/clients/${created.client_id}`)).body).toEqual(
        res.body,
      );
      const stored = await server.app.get(ClientRegistry).findById(created.client_id);
      expect(stored?.secret).toBe(created.client_secret);
    });

    it('refuses invalid metadata and keeps the stored client', async () => {
      const created = await createClient(server, { ...WEB, client_name: 'Kept' });

      const res = await admin(server)
        .put(`/admin/v1/clients/${created.client_id}`)
        .send({ redirect_uris: ['https://app.example.com/cb#x'] });

      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_redirect_uri');
      expect(
        (await admin(server).get(`/admin/v1/clients/${created.client_id}`)).body.client_name,
      ).toBe('Kept');
    });

    it('refuses unknown fields', async () => {
      const created = await createClient(server, WEB);

      const res = await admin(server)
        .put(`/admin/v1/clients/${created.client_id}`)
        .send({ ...WEB, colour: 'red' });

      expect(res.status).toBe(400);
      expect(res.body.fields).toEqual([{ field: 'colour', problems: ['is not a known field'] }]);
    });

    it('takes back what GET answered, client_id included (RFC 7592 §2.2)', async () => {
      const created = await createClient(server, { ...WEB, client_name: 'Before' });
      const current = (await admin(server).get(`/admin/v1/clients/${created.client_id}`)).body;

      const res = await admin(server)
        .put(`/admin/v1/clients/${created.client_id}`)
        .send({ ...current, client_name: 'After' });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...current, client_name: 'After' });
    });

    it("refuses a client_id other than the path's, and keeps the stored client", async () => {
      const created = await createClient(server, { ...WEB, client_name: 'Kept' });

      const res = await admin(server)
        .put(`/admin/v1/clients/${created.client_id}`)
        .send({ ...WEB, client_name: 'Changed', client_id: UNKNOWN_ID });

      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: 'invalid_client_metadata',
        error_description: expect.any(String),
        fields: [{ field: 'client_id', problems: ['must be the client_id of the path'] }],
      });
      expect(
        (await admin(server).get(`/admin/v1/clients/${created.client_id}`)).body.client_name,
      ).toBe('Kept');
    });

    it('answers 404 for an unknown client', async () => {
      const res = await admin(server).put(`/admin/v1/clients/${UNKNOWN_ID}`).send(WEB);

      expect(res.status).toBe(404);
      expect(res.body).toEqual(NOT_FOUND);
    });
  });

  describe('POST /admin/v1/clients/{client_id}/secret', () => {
    it('issues a new secret and replaces the stored hash', async () => {
      const created = await createClient(server, WEB);

      const res = await admin(server).post(`/admin/v1/clients/${created.client_id}/secret`);

      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({ client_secret: expect.stringMatching(SECRET) });
      expect(res.body.client_secret).not.toBe(created.client_secret);
      const stored = await server.app.get(ClientRegistry).findById(created.client_id);
      expect(stored?.secretHash).toEqual(hashToken(res.body.client_secret));
      expect(stored?.secretHash).not.toEqual(hashToken(created.client_secret!));
      expect(stored?.secret).toBe(res.body.client_secret);
    });

    it('never shows the new secret afterwards', async () => {
      const created = await createClient(server, WEB);
      const rotated = await admin(server).post(`/admin/v1/clients/${created.client_id}/secret`);

      const res = await admin(server).get(`/admin/v1/clients/${created.client_id}`);

      expect(res.body).not.toHaveProperty('client_secret');
      expect(JSON.stringify(res.body)).not.toContain(rotated.body.client_secret);
    });

    it('refuses a client without a secret', async () => {
      const { client } = await server.app.get(ClientRegistry).create({
        redirect_uris: WEB.redirect_uris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      });

      const res = await admin(server).post(`/admin/v1/clients/${client.clientId}/secret`);

      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
    });

    it('answers 404 for an unknown client', async () => {
      const res = await admin(server).post(`/admin/v1/clients/${UNKNOWN_ID}/secret`);

      expect(res.status).toBe(404);
      expect(res.body).toEqual(NOT_FOUND);
    });
  });

  describe('DELETE /admin/v1/clients/{client_id}', () => {
    it('deletes the client: 204, then 404 everywhere', async () => {
      const created = await createClient(server, WEB);

      const res = await admin(server).delete(`/admin/v1/clients/${created.client_id}`);

      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect((await admin(server).get(`/admin/v1/clients/${created.client_id}`)).status).toBe(404);
      expect(
        (await admin(server).post(`/admin/v1/clients/${created.client_id}/secret`)).status,
      ).toBe(404);
      expect(await server.app.get(ClientRegistry).findById(created.client_id)).toBeNull();
    });

    it('answers 404 the second time', async () => {
      const created = await createClient(server, WEB);
      await admin(server).delete(`/admin/v1/clients/${created.client_id}`);

      const res = await admin(server).delete(`/admin/v1/clients/${created.client_id}`);

      expect(res.status).toBe(404);
      expect(res.body).toEqual(NOT_FOUND);
    });
  });
});
