import request from 'supertest';

import seed from '../fixtures/seed-metadata.json';
import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { startTestServer, TestServer } from '../setup/test-server';

/**
 * Seed values not served yet, member by member: none. The test fails if one is listed here and
 * served, or if any seed value is missing (the OTP grants too: CONTRACT §3's floor holds without
 * a gateway, where they answer 503).
 */
const NOT_YET_SERVED: Record<string, string[]> = {};

/** Standard values beyond the seed that an implemented feature may add (CONTRACT §3). */
const ALLOWED_EXTENSIONS: Record<string, string[]> = {
  grant_types_supported: ['client_credentials'],
  token_endpoint_auth_methods_supported: ['none'],
  introspection_endpoint_auth_methods_supported: [],
  revocation_endpoint_auth_methods_supported: ['none'],
  // CONTRACT "Scopes and claims": OpenID Connect Core §5.4's scopes, offline_access and groups.
  scopes_supported: ['profile', 'email', 'phone', 'address', 'offline_access', 'groups'],
};

const PATHS = [
  '/uas/.well-known/openid-configuration',
  '/uas/.well-known/oauth-authorization-server',
  '/uas/oauth2/metadata.json',
];

describe('discovery', () => {
  let db: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({
      databaseUrl: db.url,
      env: { ISSUER: 'https://sso.example.com/uas' },
    });
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it.each(PATHS)('serves the document at %s as cacheable JSON', async (path) => {
    const res = await request(server.http).get(path);

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toMatch(/^public, max-age=\d+$/);
  });

  it('serves the same document at all three addresses', async () => {
    const bodies = await Promise.all(
      PATHS.map(async (p) => (await request(server.http).get(p)).text),
    );

    expect(new Set(bodies).size).toBe(1);
  });

  it('has every member of the seed document, in the seed order, with URLs derived from ISSUER', async () => {
    const res = await request(server.http).get(PATHS[0]);
    const seedKeys = Object.keys(seed);

    expect(Object.keys(res.body).slice(0, seedKeys.length)).toEqual(seedKeys);
    // The seed was published for https://sso.example.com/uas: with that ISSUER every URL matches.
    for (const key of seedKeys.filter(
      (k) => k === 'issuer' || k.endsWith('_endpoint') || k === 'jwks_uri',
    )) {
      expect({ [key]: res.body[key] }).toEqual({ [key]: (seed as Record<string, unknown>)[key] });
    }
  });

  it('advertises the response modes of the authorization endpoint (Form Post Response Mode §5)', async () => {
    const res = await request(server.http).get(PATHS[0]);

    expect(res.body.response_modes_supported).toEqual(['query', 'form_post']);
  });

  it('serves every seed value except the ones listed as not yet implemented, and nothing unknown', async () => {
    const res = await request(server.http).get(PATHS[0]);

    for (const [key, seedValue] of Object.entries(seed)) {
      if (!Array.isArray(seedValue)) continue;
      const served: string[] = res.body[key];
      const missing = seedValue.filter((v) => !served.includes(v));
      const extra = served.filter((v) => !seedValue.includes(v));
      expect({ key, missing }).toEqual({ key, missing: NOT_YET_SERVED[key] ?? [] });
      expect({
        key,
        extra: extra.filter((v) => !(ALLOWED_EXTENSIONS[key] ?? []).includes(v)),
      }).toEqual({ key, extra: [] });
    }
  });
});

describe('discovery under another issuer path', () => {
  let db: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({
      databaseUrl: db.url,
      env: { ISSUER: 'https://idp.example.org/base/uas/' },
    });
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it('mounts the endpoints below the issuer path and derives every URL from it', async () => {
    const res = await request(server.http).get('/base/uas/.well-known/openid-configuration');

    expect(res.status).toBe(200);
    expect(res.body.issuer).toBe('https://idp.example.org/base/uas');
    expect(res.body.jwks_uri).toBe('https://idp.example.org/base/uas/oauth2/metadata.jwks');
    expect(res.body.token_endpoint).toBe('https://idp.example.org/base/uas/oauth2/token');
    expect((await request(server.http).get('/base/uas/oauth2/metadata.jwks')).status).toBe(200);
    expect((await request(server.http).get('/uas/.well-known/openid-configuration')).status).toBe(
      404,
    );
  });
});
