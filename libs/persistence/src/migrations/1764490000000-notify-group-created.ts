import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A group created sends NOTIFY uas_user_changed '*' too. A new local group changes no user's
 * group names, but it can change whether a user's groups require a second factor: a directory
 * group counts through the local group of its name (CONTRACT §4), so creating a local group
 * with `require_mfa` under a name a directory already gives its users puts them behind a
 * second factor, and every instance's cache of that answer must forget it at once.
 */
export class NotifyGroupCreated1764490000000 implements MigrationInterface {
  name = 'NotifyGroupCreated1764490000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TRIGGER groups_notify_created AFTER INSERT ON groups
      FOR EACH STATEMENT EXECUTE FUNCTION notify_groups_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS groups_notify_created ON groups`);
  }
}
