import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every update or delete of a user row sends NOTIFY uas_user_changed with its id, inside the
 * changing transaction (delivered at commit, dropped on rollback), so every instance's cache of
 * users' claims (UserInfo) forgets it at once, whatever code or person made the change: the
 * admin API, a directory sign-in or sync, or SQL by hand. So does a change of what its `groups`
 * claim is made of: its directory account, a membership (the user's id), a group renamed or
 * deleted ('*': forget everything). Any table that later feeds a user's claims notifies the
 * same channel.
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
    await q.query(`
      CREATE FUNCTION notify_group_member_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' THEN PERFORM pg_notify('uas_user_changed', OLD.user_id::text); END IF;
        IF TG_OP <> 'DELETE' THEN PERFORM pg_notify('uas_user_changed', NEW.user_id::text); END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER group_members_notify_changed AFTER INSERT OR UPDATE OR DELETE ON group_members
      FOR EACH ROW EXECUTE FUNCTION notify_group_member_changed()`);
    await q.query(`
      CREATE FUNCTION notify_groups_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('uas_user_changed', '*');
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER groups_notify_changed AFTER UPDATE OR DELETE ON groups
      FOR EACH STATEMENT EXECUTE FUNCTION notify_groups_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS groups_notify_changed ON groups`);
    await q.query(`DROP FUNCTION IF EXISTS notify_groups_changed()`);
    await q.query(`DROP TRIGGER IF EXISTS group_members_notify_changed ON group_members`);
    await q.query(`DROP FUNCTION IF EXISTS notify_group_member_changed()`);
    await q.query(`DROP TRIGGER IF EXISTS directory_accounts_notify_changed ON directory_accounts`);
    await q.query(`DROP FUNCTION IF EXISTS notify_directory_account_changed()`);
    await q.query(`DROP TRIGGER IF EXISTS users_notify_changed ON users`);
    await q.query(`DROP FUNCTION IF EXISTS notify_user_changed()`);
  }
}
