import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit events (CONTRACT §5): an append-only record of security events. The identity column
 * orders them and is the query cursor; UPDATE is refused by a trigger, so a row once written
 * stays as written; only the retention purge deletes, oldest first.
 */
export class CreateAuditEvents1764470000000 implements MigrationInterface {
  name = 'CreateAuditEvents1764470000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_events (
        id bigint GENERATED ALWAYS AS IDENTITY,
        time timestamptz NOT NULL,
        type text NOT NULL,
        actor text,
        subject text,
        client_id text,
        ip text,
        outcome text NOT NULL,
        details jsonb NOT NULL DEFAULT '{}',
        CONSTRAINT audit_events_pkey PRIMARY KEY (id)
      )`);
    await q.query(`CREATE INDEX audit_events_time_idx ON audit_events (time)`);
    await q.query(`CREATE INDEX audit_events_type_idx ON audit_events (type, id)`);
    await q.query(`CREATE INDEX audit_events_subject_idx ON audit_events (subject, id)`);
    await q.query(`CREATE INDEX audit_events_client_idx ON audit_events (client_id, id)`);
    await q.query(`
      CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_events`);
    await q.query(`DROP FUNCTION audit_events_append_only()`);
  }
}
