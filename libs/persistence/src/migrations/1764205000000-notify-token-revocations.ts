import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Grants revoked or deleted (directly, or by the cascade of a deleted client or user) send
 * NOTIFY uas_grant_changed with the grant id, and revoked access tokens send NOTIFY
 * uas_access_token_revoked with the jti, inside the changing transaction, so every instance's
 * cache of live tokens forgets them at once. A statement touching more than 100 grants (the
 * housekeeping purge) sends '*' instead: forget everything.
 */
export class NotifyTokenRevocations1764205000000 implements MigrationInterface {
  name = 'NotifyTokenRevocations1764205000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION notify_grants_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (SELECT count(*) FROM old_rows) > 100 THEN
          PERFORM pg_notify('uas_grant_changed', '*');
        ELSE
          PERFORM pg_notify('uas_grant_changed', id::text) FROM old_rows;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER grants_notify_updated AFTER UPDATE ON grants
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_grants_changed()`);
    await q.query(`
      CREATE TRIGGER grants_notify_deleted AFTER DELETE ON grants
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_grants_changed()`);
    await q.query(`
      CREATE FUNCTION notify_access_token_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('uas_access_token_revoked', NEW.jti);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER revoked_access_tokens_notify AFTER INSERT ON revoked_access_tokens
      FOR EACH ROW EXECUTE FUNCTION notify_access_token_revoked()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS revoked_access_tokens_notify ON revoked_access_tokens`);
    await q.query(`DROP FUNCTION IF EXISTS notify_access_token_revoked()`);
    await q.query(`DROP TRIGGER IF EXISTS grants_notify_deleted ON grants`);
    await q.query(`DROP TRIGGER IF EXISTS grants_notify_updated ON grants`);
    await q.query(`DROP FUNCTION IF EXISTS notify_grants_changed()`);
  }
}
