import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Closes the gaps of NotifyUserChanges1764480000000 now that a cache remembers whether a user's
 * groups require a second factor, an answer that also depends on rows no user owns yet:
 *
 * - a group created notifies '*': a directory group counts through the local group of its name
 *   (CONTRACT §4), so a new `require_mfa` group can put a directory's users behind a second
 *   factor;
 * - a directory account inserted, or moved to another user, notifies the old and the new user,
 *   as a membership already did (its function, renamed for what it does, serves both);
 * - TRUNCATE of any table the caches read from notifies '*' (row triggers do not fire for it).
 */
export class CompleteUserChangeNotifications1764490000000 implements MigrationInterface {
  name = 'CompleteUserChangeNotifications1764490000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION notify_groups_changed() RENAME TO notify_all_users_changed`);
    await q.query(`ALTER FUNCTION notify_group_member_changed() RENAME TO notify_user_id_changed`);
    await q.query(`
      CREATE TRIGGER groups_notify_created AFTER INSERT ON groups
      FOR EACH STATEMENT EXECUTE FUNCTION notify_all_users_changed()`);
    await q.query(`DROP TRIGGER directory_accounts_notify_changed ON directory_accounts`);
    await q.query(`DROP FUNCTION notify_directory_account_changed()`);
    await q.query(`
      CREATE TRIGGER directory_accounts_notify_changed
      AFTER INSERT OR UPDATE OR DELETE ON directory_accounts
      FOR EACH ROW EXECUTE FUNCTION notify_user_id_changed()`);
    for (const table of TRUNCATED)
      await q.query(`
        CREATE TRIGGER ${table}_notify_truncated AFTER TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION notify_all_users_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of TRUNCATED)
      await q.query(`DROP TRIGGER IF EXISTS ${table}_notify_truncated ON ${table}`);
    await q.query(`DROP TRIGGER directory_accounts_notify_changed ON directory_accounts`);
    // NotifyUserChanges1764480000000's own function and trigger, as it made them.
    await q.query(`
      CREATE FUNCTION notify_directory_account_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('uas_user_changed', OLD.user_id::text);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER directory_accounts_notify_changed AFTER UPDATE OR DELETE ON directory_accounts
      FOR EACH ROW EXECUTE FUNCTION notify_directory_account_changed()`);
    await q.query(`DROP TRIGGER IF EXISTS groups_notify_created ON groups`);
    await q.query(`ALTER FUNCTION notify_user_id_changed() RENAME TO notify_group_member_changed`);
    await q.query(`ALTER FUNCTION notify_all_users_changed() RENAME TO notify_groups_changed`);
  }
}

/** The tables the user-changed caches read from (users, their groups and directory groups). */
const TRUNCATED = ['users', 'groups', 'group_members', 'directory_accounts'];
