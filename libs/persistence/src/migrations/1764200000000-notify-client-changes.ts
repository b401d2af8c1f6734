import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every update or delete of a client row sends NOTIFY uas_client_changed with its client_id,
 * inside the changing transaction (delivered at commit, dropped on rollback), so every
 * instance's client cache forgets it at once, whatever code or person made the change.
 */
export class NotifyClientChanges1764200000000 implements MigrationInterface {
  name = 'NotifyClientChanges1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION notify_client_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('uas_client_changed', OLD.client_id::text);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER clients_notify_changed AFTER UPDATE OR DELETE ON clients
      FOR EACH ROW EXECUTE FUNCTION notify_client_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS clients_notify_changed ON clients`);
    await q.query(`DROP FUNCTION IF EXISTS notify_client_changed()`);
  }
}
