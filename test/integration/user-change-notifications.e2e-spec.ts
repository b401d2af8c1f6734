import { randomUUID } from 'node:crypto';

import { Client, Notification } from 'pg';

import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { startTestServer, TestServer } from '../setup/test-server';

/**
 * The triggers behind every cache of users and their groups (NotifiedCache on uas_user_changed):
 * each change of what a user's claims, groups or second-factor policy are made of notifies the
 * user's id, or '*' when it may touch anyone, whoever makes it (here: SQL by hand).
 */
describe('user-changed notifications', () => {
  let db: TestDatabase;
  let server: TestServer;
  let sql: Client;
  let heard: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    sql.on('notification', (n: Notification) => {
      if (n.channel === 'uas_user_changed') heard.push(n.payload ?? '');
    });
    // A session hears its own notifications, at its transactions' commits.
    await sql.query('LISTEN uas_user_changed');
  });

  afterAll(async () => {
    await sql?.end();
    await server?.close();
    await db?.drop();
  });

  /** What `statement` made the database send, once it committed and the messages came in. */
  async function notified(statement: string, params: unknown[] = []): Promise<string[]> {
    heard = [];
    await sql.query(statement, params);
    // Notifications follow the statement's completion on the same connection.
    await sql.query('SELECT 1');
    return [...heard].sort();
  }

  async function user(): Promise<string> {
    const id = randomUUID();
    await sql.query(
      `INSERT INTO users (id, username, username_key, password_hash, claims, created_at, updated_at)
       VALUES ($1, $2, $2, 'x', '{}', now(), now())`,
      [id, `user-${id}`],
    );
    return id;
  }

  async function directory(): Promise<string> {
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO directories (id, name, url, bind_dn, bind_password_encrypted, user_base_dn,
         user_filter, attributes)
       VALUES ($1, $2, 'ldap://127.0.0.1:1', 'cn=x', 'x', 'dc=x', '(uid={0})', '{}') RETURNING id`,
      [randomUUID(), `directory-${randomUUID()}`],
    );
    return rows[0].id;
  }

  it('tells everyone when a group is created', async () => {
    const id = randomUUID();
    expect(
      await notified(
        `INSERT INTO groups (id, name, name_key, description, require_mfa, created_at, updated_at)
         VALUES ($1, $2, $2, null, true, now(), now())`,
        [id, `group-${id}`],
      ),
    ).toEqual(['*']);
  });

  it('tells a user when a directory account is linked to them, and both users when it moves', async () => {
    const [first, second, dir] = [await user(), await user(), await directory()];
    expect(
      await notified(
        `INSERT INTO directory_accounts (user_id, directory_id, external_id, dn, groups)
         VALUES ($1, $2, $3, 'uid=x', '["Night Shift"]')`,
        [first, dir, first],
      ),
    ).toEqual([first]);
    expect(
      await notified(`UPDATE directory_accounts SET groups = '[]' WHERE user_id = $1`, [first]),
    ).toEqual([first]);
    expect(
      await notified(`UPDATE directory_accounts SET user_id = $2 WHERE user_id = $1`, [
        first,
        second,
      ]),
    ).toEqual([first, second].sort());
    expect(await notified(`DELETE FROM directory_accounts WHERE user_id = $1`, [second])).toEqual([
      second,
    ]);
  });

  it.each(['group_members', 'directory_accounts', 'groups', 'users'])(
    'tells everyone when %s is truncated',
    async (table) => {
      expect(await notified(`TRUNCATE ${table} CASCADE`)).toContain('*');
    },
  );
});
