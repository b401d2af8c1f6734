import { MigrationInterface, QueryRunner } from 'typeorm';

import { canonicalUsername } from '../identifiers';

/**
 * Usernames are unique and looked up by one normalisation computed in code (canonicalUsername),
 * stored beside the username as typed; the unique index on PostgreSQL's lower(username) goes,
 * because lower() and the code's case mapping disagree on some letters (`İ`), which let one
 * user be counted under two names by the failed-login limit.
 */
export class AddUsernameKey1764310000000 implements MigrationInterface {
  name = 'AddUsernameKey1764310000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN username_key text`);
    const users = (await q.query(
      `SELECT id, username FROM users ORDER BY created_at, id`,
    )) as Array<{ id: string; username: string }>;
    const keys = users.map((user) => canonicalUsername(user.username));
    assertNoTwoUsersShareAKey(users, keys);
    // One statement for every row: no round trip per user.
    await q.query(
      `UPDATE users u SET username_key = k.key FROM unnest($1::uuid[], $2::text[]) AS k(id, key) WHERE u.id = k.id`,
      [users.map((user) => user.id), keys],
    );
    await q.query(`ALTER TABLE users ALTER COLUMN username_key SET NOT NULL`);
    await q.query(`DROP INDEX users_username_key`);
    await q.query(`CREATE UNIQUE INDEX users_username_key_idx ON users (username_key)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX users_username_key_idx`);
    await q.query(`ALTER TABLE users DROP COLUMN username_key`);
    await q.query(`CREATE UNIQUE INDEX users_username_key ON users (lower(username))`);
  }
}

/**
 * lower() let through pairs that are one name now (`Straße` and `STRASSE`, full-width letters):
 * the upgrade stops with one line naming them, for an administrator to rename one, rather than
 * choosing which of two people keeps the name.
 */
function assertNoTwoUsersShareAKey(
  users: Array<{ id: string; username: string }>,
  keys: string[],
): void {
  const seen = new Map<string, number>();
  const clashes: string[] = [];
  keys.forEach((key, i) => {
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else
      clashes.push(
        `${users[first].id} (${JSON.stringify(users[first].username)}) and ${users[i].id} (${JSON.stringify(users[i].username)})`,
      );
  });
  if (clashes.length > 0) {
    throw new Error(
      `usernames that now name one user; rename one of each pair, then start again: ${clashes.join('; ')}`,
    );
  }
}
