import { decodeProtectedHeader, importJWK, JWK } from 'jose';
import request from 'supertest';

import { KeyStore } from '@app/keys';

import { admin } from '../../factories/admin.factory';
import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import { startTestServer, TestServer } from '../../setup/test-server';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

interface KeyItem extends JWK {
  kid: string;
  use: string;
  alg: string;
  status: string;
  jwk: JWK;
  created_at: string;
  activates_at: string;
  retires_at: string | null;
}

describe('admin API: keys', () => {
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

  async function keys(): Promise<KeyItem[]> {
    return (await admin(server).get('/admin/v1/keys')).body.items;
  }

  async function publishedKids(): Promise<string[]> {
    const res = await request(server.http).get('/uas/oauth2/metadata.jwks');
    return JSON.parse(res.text).keys.map((k: { kid: string }) => k.kid);
  }

  it('lists every key with its public JWK, kid, use, alg and status', async () => {
    const res = await admin(server).get('/admin/v1/keys');

    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(Object.keys(res.body)).toEqual(['items']);
    expect(res.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ use: 'sig', alg: 'RS256', status: 'active' }),
        expect.objectContaining({ use: 'enc', alg: 'RSA-OAEP', status: 'active' }),
      ]),
    );
    for (const key of res.body.items as KeyItem[]) {
      // CONTRACT §4: each item is a public JWK (its own members at the top) with its status.
      const { status, jwk, created_at, activates_at, retires_at, ...members } = key;
      expect(members).toEqual(jwk);
      expect(((await importJWK(members, key.alg)) as { type: string }).type).toBe('public');
      expect({ status, created_at, activates_at, retires_at }).toEqual({
        status: expect.any(String),
        created_at: expect.any(String),
        activates_at: expect.any(String),
        retires_at: null,
      });
      expect(jwk).toEqual({
        kid: expect.any(String),
        use: expect.stringMatching(/^(sig|enc)$/),
        alg: expect.any(String),
        kty: 'RSA',
        n: expect.any(String),
        e: 'AQAB',
        ...(jwk.x5c ? { x5c: jwk.x5c, 'x5t#S256': jwk['x5t#S256'] } : {}),
      });
      expect(Object.keys(key.jwk).filter((m) => PRIVATE_MEMBERS.includes(m))).toEqual([]);
    }
  });

  it('rotates with the configured lead time by default: published now, signing later', async () => {
    const res = await admin(server).post('/admin/v1/keys/rotate');

    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      ...res.body.jwk,
      kid: expect.any(String),
      use: 'sig',
      alg: 'RS256',
      status: 'next',
      jwk: expect.objectContaining({ kty: 'RSA', kid: res.body.kid }),
      created_at: expect.any(String),
      activates_at: new Date(
        server.clock.now().getTime() + server.config.keys.rotationLeadSeconds * 1000,
      ).toISOString(),
      retires_at: null,
    });
    expect(await publishedKids()).toContain(res.body.kid);
  });

  it('rotates with activate_in_seconds 0: the new key signs at once', async () => {
    const before = (await keys()).find((k) => k.use === 'sig' && k.status === 'active');

    const res = await admin(server).post('/admin/v1/keys/rotate').send({ activate_in_seconds: 0 });

    expect(res.status).toBe(201);
    expect(res.body.status).toBe('active');
    const after = await keys();
    expect(after.find((k) => k.kid === res.body.kid)?.status).toBe('active');
    expect(after.find((k) => k.kid === before?.kid)?.status).toBe('previous');
    expect(await publishedKids()).toEqual(expect.arrayContaining([res.body.kid, before?.kid]));
  });

  it('lets a rotation overtake one still in its lead time: the overtaken key never signs', async () => {
    const scheduled = await admin(server).post('/admin/v1/keys/rotate');
    const urgent = await admin(server)
      .post('/admin/v1/keys/rotate')
      .send({ activate_in_seconds: 0 });
    expect([scheduled.body.status, urgent.body.status]).toEqual(['next', 'active']);

    // Past the moment the overtaken key would have begun to sign.
    server.clock.advance(server.config.keys.rotationLeadSeconds + 10);
    const after = await keys();
    const signed = await server.app.get(KeyStore).sign({ sub: 'probe' });

    expect(after.find((k) => k.kid === urgent.body.kid)?.status).toBe('active');
    expect(after.find((k) => k.kid === scheduled.body.kid)?.status).toBe('retired');
    expect(decodeProtectedHeader(signed).kid).toBe(urgent.body.kid);
    expect(await publishedKids()).not.toContain(scheduled.body.kid);
  });

  it('honours a chosen activate_in_seconds', async () => {
    const res = await admin(server)
      .post('/admin/v1/keys/rotate')
      .send({ activate_in_seconds: 600 });

    expect(res.status).toBe(201);
    expect(res.body.activates_at).toBe(
      new Date(server.clock.now().getTime() + 600_000).toISOString(),
    );
  });

  it.each([
    ['above a day', { activate_in_seconds: 86401 }, 'activate_in_seconds'],
    ['negative', { activate_in_seconds: -1 }, 'activate_in_seconds'],
    ['a string', { activate_in_seconds: '5' }, 'activate_in_seconds'],
    ['a fraction', { activate_in_seconds: 1.5 }, 'activate_in_seconds'],
    ['an unknown field', { use: 'enc' }, 'use'],
  ])('refuses activate_in_seconds %s and creates no key', async (_, body, field) => {
    const count = (await keys()).length;

    const res = await admin(server).post('/admin/v1/keys/rotate').send(body);

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description: expect.any(String),
      fields: [{ field, problems: expect.any(Array) }],
    });
    expect((await keys()).length).toBe(count);
  });

  it('refuses malformed JSON and creates no key', async () => {
    const count = (await keys()).length;

    const res = await admin(server)
      .post('/admin/v1/keys/rotate')
      .set('Content-Type', 'application/json')
      .send('{"activate_in_seconds":');

    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
    expect((await keys()).length).toBe(count);
  });
});
