import { X509Certificate, createHash, createPublicKey } from 'node:crypto';

import request from 'supertest';

import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { startTestServer, TestServer } from '../setup/test-server';

describe('JWKS', () => {
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

  it('serves application/jwk-set+json with a max-age below the rotation lead time', async () => {
    const res = await request(server.http).get('/uas/oauth2/metadata.jwks');

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/jwk-set+json');
    const maxAge = Number(/max-age=(\d+)/.exec(res.headers['cache-control'])?.[1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThan(server.config.keys.rotationLeadSeconds);
  });

  it('publishes one RS256 signing key and one RSA-OAEP encryption key, public members only', async () => {
    const res = await request(server.http).get('/uas/oauth2/metadata.jwks');
    const { keys } = JSON.parse(res.text);

    expect(keys).toEqual([
      {
        kty: 'RSA',
        use: 'sig',
        alg: 'RS256',
        kid: expect.any(String),
        n: expect.any(String),
        e: 'AQAB',
      },
      {
        kty: 'RSA',
        use: 'enc',
        alg: 'RSA-OAEP',
        kid: expect.any(String),
        n: expect.any(String),
        e: 'AQAB',
      },
    ]);
  });

  it('names every key by its RFC 7638 thumbprint', async () => {
    const { keys } = JSON.parse((await request(server.http).get('/uas/oauth2/metadata.jwks')).text);

    for (const key of keys) {
      const thumbprint = createHash('sha256')
        .update(JSON.stringify({ e: key.e, kty: 'RSA', n: key.n }))
        .digest('base64url');
      expect(key.kid).toBe(thumbprint);
      expect(createPublicKey({ key, format: 'jwk' }).asymmetricKeyDetails?.modulusLength).toBe(
        2048,
      );
    }
  });
});

describe('JWKS with METADATA_CERTIFICATE=true', () => {
  let db: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url, env: { METADATA_CERTIFICATE: 'true' } });
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it('adds a self-signed certificate of each key as x5c, and its x5t#S256', async () => {
    const { keys } = JSON.parse((await request(server.http).get('/uas/oauth2/metadata.jwks')).text);

    expect(keys).toHaveLength(2);
    for (const key of keys) {
      const der = Buffer.from(key.x5c[0], 'base64');
      const cert = new X509Certificate(der);
      expect(cert.publicKey.export({ format: 'jwk' })).toEqual({ kty: 'RSA', n: key.n, e: key.e });
      expect(cert.verify(cert.publicKey)).toBe(true);
      expect(key['x5t#S256']).toBe(createHash('sha256').update(der).digest('base64url'));
    }
  });
});
