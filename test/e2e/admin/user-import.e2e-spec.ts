import { pbkdf2Sync, randomBytes } from 'node:crypto';

import * as argon2 from 'argon2';
import { hashSync as bcryptHash } from 'bcryptjs';
import { Client } from 'pg';
import request from 'supertest';

import {
  admin,
  adminCreateClient,
  adminCreateUser,
  basic,
  decodeJwt,
  postForm,
} from '../../setup/oauth';
import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import { startTestServer, TestServer } from '../../setup/test-server';

const PASSWORD = 'imported password 1';

/** passlib's pbkdf2_sha256 format, written here from node:crypto (ab64: `.` for `+`, no padding). */
function passlibPbkdf2(password: string, rounds: number): string {
  const salt = randomBytes(16);
  const checksum = pbkdf2Sync(password, salt, rounds, 32, 'sha256');
  const ab64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '').replace(/\+/g, '.');
  return `$pbkdf2-sha256$${rounds}$${ab64(salt)}$${ab64(checksum)}`;
}

/** CONTRACT §4 POST /admin/v1/users/import, and the rehash at the first sign-in. */
describe('admin user import', () => {
  let db: TestDatabase;
  let server: TestServer;
  let pg: Client;
  let client: { client_id: string; client_secret?: string };

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    client = await adminCreateClient(server, { grant_types: ['password'] });
  });

  afterAll(async () => {
    await pg?.end();
    await server?.close();
    await db?.drop();
  });

  const importUsers = (users: object[], dryRun?: boolean) =>
    admin(server).post('/admin/v1/users/import', {
      users,
      ...(dryRun === undefined ? {} : { dry_run: dryRun }),
    });
  const storedHash = async (username: string): Promise<string | null> => {
    const { rows } = await pg.query<{ password_hash: string }>(
      'SELECT password_hash FROM users WHERE username = $1',
      [username],
    );
    return rows[0]?.password_hash ?? null;
  };
  const signIn = (username: string, password = PASSWORD) =>
    postForm(
      server,
      '/oauth2/token',
      { grant_type: 'password', username, password, scope: 'openid email' },
      basic(client.client_id, client.client_secret!),
    );

  it.each([
    [
      'argon2id',
      () => argon2.hash(PASSWORD, { type: argon2.argon2id, memoryCost: 4096, timeCost: 1 }),
    ],
    ['argon2i', () => argon2.hash(PASSWORD, { type: argon2.argon2i })],
    ['bcrypt 2b', async () => bcryptHash(PASSWORD, 6)],
    ['bcrypt 2a', async () => bcryptHash(PASSWORD, 6).replace(/^\$2b\$/, '$2a$')],
    ['bcrypt 2y', async () => bcryptHash(PASSWORD, 6).replace(/^\$2b\$/, '$2y$')],
    ['pbkdf2-sha256', async () => passlibPbkdf2(PASSWORD, 29000)],
  ])(
    'imports a %s hash; the user signs in with the password grant and the hash becomes argon2id',
    async (format, make) => {
      const hash = await make();
      const username = `user-${format.replace(/\W/g, '')}`;
      const res = await importUsers([
        { username, password_hash: hash, email: `${username}@example.com` },
      ]);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ results: [{ username, status: 'created' }] });
      expect(await storedHash(username)).toBe(hash);

      // A wrong password is refused and leaves the hash as it was.
      expect((await signIn(username, 'not the password')).status).toBe(400);
      expect(await storedHash(username)).toBe(hash);

      const ok = await signIn(username);
      expect(ok.status).toBe(200);
      expect(decodeJwt(ok.body.id_token).payload.email).toBe(`${username}@example.com`);
      const upgraded = await storedHash(username);
      expect(upgraded).toMatch(/^\$argon2id\$v=19\$/);
      expect(upgraded).not.toBe(hash);
      expect(await argon2.verify(upgraded!, PASSWORD)).toBe(true);

      // The new hash keeps working.
      expect((await signIn(username)).status).toBe(200);
      expect(await storedHash(username)).toBe(upgraded);
    },
  );

  it('refuses, without computing it, a stored argon2 hash past the import bounds (a row written some other way)', async () => {
    const username = 'written-elsewhere';
    expect((await importUsers([{ username, password_hash: bcryptHash(PASSWORD, 4) }])).status).toBe(
      200,
    );
    // Eleven passes (the bound is ten) of 64 KiB: cheap, and the password really matches it.
    const costly = await argon2.hash(PASSWORD, {
      type: argon2.argon2id,
      memoryCost: 64,
      timeCost: 11,
    });
    expect(await argon2.verify(costly, PASSWORD)).toBe(true);
    await pg.query('UPDATE users SET password_hash = $1 WHERE username = $2', [costly, username]);

    const res = await signIn(username);

    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_grant');
    expect(await storedHash(username)).toBe(costly);
  });

  it('writes nothing on a dry run', async () => {
    const importsRecordedBefore = (
      await admin(server).get('/admin/v1/audit-events?type=user.imported')
    ).body.items.length as number;
    const res = await importUsers(
      [
        { username: 'dry-one', password_hash: bcryptHash(PASSWORD, 4) },
        { username: 'dry-two', password_hash: passlibPbkdf2(PASSWORD, 1000) },
      ],
      true,
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      results: [
        { username: 'dry-one', status: 'would_create' },
        { username: 'dry-two', status: 'would_create' },
      ],
    });
    expect(await storedHash('dry-one')).toBeNull();
    expect(await storedHash('dry-two')).toBeNull();
    // Nothing changed, so nothing is recorded as an admin change.
    const audited = await admin(server).get('/admin/v1/audit-events?type=user.imported');
    expect(audited.body.items).toHaveLength(importsRecordedBefore);
  });

  it('refuses the whole batch with the offending users when any is invalid, writing nothing', async () => {
    await adminCreateUser(server, { username: 'existing', password: 'existing password 1' });
    const good = { username: 'batch-good', password_hash: bcryptHash(PASSWORD, 4) };

    const res = await importUsers([
      good,
      { username: 'batch-bad-hash', password_hash: 'md5:5f4dcc3b5aa765d61d8327deb882cf99' },
      { username: 'BATCH-GOOD', password_hash: bcryptHash(PASSWORD, 4) },
      { username: 'Existing', password_hash: bcryptHash(PASSWORD, 4) },
    ]);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
    const fields = (res.body.fields as { field: string }[]).map((f) => f.field).sort();
    expect(fields).toEqual(['users.1.password_hash', 'users.2.username', 'users.3.username']);
    expect(await storedHash('batch-good')).toBeNull();

    // An argon2 hash whose check would cost too much (4 GiB) is refused the same way, by name.
    const costly = await importUsers([
      good,
      {
        username: 'costly',
        password_hash: '$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g',
      },
    ]);
    expect(costly.status).toBe(400);
    expect(costly.body.fields).toEqual([
      { field: 'users.1.password_hash', problems: [expect.stringContaining('m=262144')] },
    ]);
    expect(await storedHash('costly')).toBeNull();

    // A shape error (a password instead of a hash) is refused the same way.
    const shape = await importUsers([good, { username: 'with-password', password: PASSWORD }]);
    expect(shape.status).toBe(400);
    expect((shape.body.fields as { field: string }[]).map((f) => f.field).sort()).toEqual([
      'users.1.password',
      'users.1.password_hash',
    ]);
    expect(await storedHash('batch-good')).toBeNull();

    // Once valid, the same batch goes in.
    expect((await importUsers([good])).status).toBe(200);
    expect(await storedHash('batch-good')).toBe(good.password_hash);
  });

  it('needs users:write', async () => {
    const key = await admin(server).post('/admin/v1/api-keys', {
      name: 'reader',
      scopes: ['admin:read', 'groups:write'],
    });
    const res = await request(server.http)
      .post('/admin/v1/users/import')
      .set('Authorization', `Bearer ${String(key.body.key)}`)
      .send({ users: [{ username: 'by-reader', password_hash: bcryptHash(PASSWORD, 4) }] });
    expect(res.status).toBe(403);
    expect(await storedHash('by-reader')).toBeNull();
  });
});
