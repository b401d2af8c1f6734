import request from 'supertest';

import { ConfigError } from '@app/config';
import { decodeJws, KeyStore } from '@app/keys';

import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { newMasterKey, startTestServer, TestServer } from '../setup/test-server';

async function publishedKids(server: TestServer): Promise<string[]> {
  const res = await request(server.http).get('/uas/oauth2/metadata.jwks');
  return JSON.parse(res.text).keys.map((k: { kid: string; use: string }) => `${k.use}:${k.kid}`);
}

describe('server keys', () => {
  let db: TestDatabase;
  const masterKey = newMasterKey();

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('creates exactly one signing and one encryption key when two instances start together', async () => {
    const [a, b] = await Promise.all([
      startTestServer({ databaseUrl: db.url, masterKey }),
      startTestServer({ databaseUrl: db.url, masterKey }),
    ]);
    try {
      const [kidsA, kidsB] = [await publishedKids(a), await publishedKids(b)];

      expect(kidsA).toHaveLength(2);
      expect(kidsA.filter((k) => k.startsWith('sig:'))).toHaveLength(1);
      expect(kidsB).toEqual(kidsA);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('keeps the same kids across a restart', async () => {
    const first = await startTestServer({ databaseUrl: db.url, masterKey });
    const before = await publishedKids(first);
    await first.close();

    const second = await startTestServer({ databaseUrl: db.url, masterKey });
    try {
      expect(await publishedKids(second)).toEqual(before);
    } finally {
      await second.close();
    }
  });

  it('refuses to start with another MASTER_KEY, naming the variable', async () => {
    const started = startTestServer({ databaseUrl: db.url, masterKey: newMasterKey() });

    await expect(started).rejects.toBeInstanceOf(ConfigError);
    await expect(started).rejects.toThrow(/^MASTER_KEY: /);
  });
});

describe('key rotation', () => {
  let db: TestDatabase;
  let server: TestServer;
  let keys: KeyStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
    keys = server.app.get(KeyStore);
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  async function signingKid(): Promise<string> {
    return String(decodeJws(await keys.sign({ sub: 'x' }))?.header.kid);
  }

  it('publishes the new key before it signs, then signs with it, then retires the old one', async () => {
    const oldKid = await signingKid();
    const lead = server.config.keys.rotationLeadSeconds;

    const rotated = await keys.rotate();

    expect(rotated.status).toBe('next');
    expect(await publishedKids(server)).toContain(`sig:${rotated.kid}`);
    expect(await signingKid()).toBe(oldKid);

    server.clock.advance(lead + 1);

    expect(await signingKid()).toBe(rotated.kid);
    expect(await publishedKids(server)).toContain(`sig:${oldKid}`);
    const listed = await keys.list();
    expect(listed.find((k) => k.kid === oldKid)?.status).toBe('previous');
    expect(listed.find((k) => k.kid === rotated.kid)?.status).toBe('active');

    // The old key stays until every token it signed has expired.
    server.clock.advance(server.config.tokens.accessTokenTtlSeconds - 5);
    expect(await publishedKids(server)).toContain(`sig:${oldKid}`);

    server.clock.advance(120);
    expect(await publishedKids(server)).not.toContain(`sig:${oldKid}`);
    expect((await keys.list()).find((k) => k.kid === oldKid)?.status).toBe('retired');
  });

  it('verifies tokens of a previous key while it is published, and refuses other algorithms', async () => {
    const token = await keys.sign({ sub: 'y' });
    await keys.rotate(0);

    expect(await keys.verify(token)).not.toBeNull();
    const [h, p] = token.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());
    const none = `${Buffer.from(JSON.stringify({ ...header, alg: 'none' })).toString('base64url')}.${p}.`;
    expect(await keys.verify(none)).toBeNull();
    const hs = `${Buffer.from(JSON.stringify({ ...header, alg: 'HS256' })).toString('base64url')}.${p}.${token.split('.')[2]}`;
    expect(await keys.verify(hs)).toBeNull();
  });
});
