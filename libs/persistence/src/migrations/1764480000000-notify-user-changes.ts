import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every update or delete of a user row sends NOTIFY uas_user_changed with its id, inside the
 * changing transaction (delivered at commit, dropped on rollback), so every instance's cache of
 * users' claims (UserInfo) forgets it at once, whatever code or person made the change: the
 * admin API, a directory sign-in or sync, or SQL by hand. So does a change of a user's directory
 * account (its groups). Any table that later feeds a user's claims notifies the same channel
 * with the user's id.
 */
export class NotifyUserChanges1764480000000 implements MigrationInterface {
  name = 'NotifyUserChanges1764480000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION notify_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('uas_user_changed', OLD.id::text);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER users_notify_changed AFTER UPDATE OR DELETE ON users
      FOR EACH ROW EXECUTE FUNCTION notify_user_changed()`);
    await q.query(`
      CREATE FUNCTION notify_directory_account_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('uas_user_changed', OLD.user_id::text);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER directory_accounts_notify_changed AFTER UPDATE OR DELETE ON directory_accounts
      FOR EACH ROW EXECUTE FUNCTION notify_directory_account_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS directory_accounts_notify_changed ON directory_accounts`);
    await q.query(`DROP FUNCTION IF EXISTS notify_directory_account_changed()`);
    await q.query(`DROP TRIGGER IF EXISTS users_notify_changed ON users`);
    await q.query(`DROP FUNCTION IF EXISTS notify_user_changed()`);
  }
}
