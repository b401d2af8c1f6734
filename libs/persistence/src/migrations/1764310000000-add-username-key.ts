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
    const users = (await q.query(`SELECT id, username FROM users`)) as Array<{ id: string; username: string }>;
    for (const user of users) {
      await q.query(`UPDATE users SET username_key = $2 WHERE id = $1`, [user.id, canonicalUsername(user.username)]);
    }
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
