import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An authorization code keeps the hash of the session it was issued in, but no longer dies with
 * it: a sign-in that replaces the session, or the purge of expired sessions, must neither void a
 * code still on its way to the client nor erase a used code that a late replay must find (RFC
 * 6749 §4.1.2: revoke the tokens it issued).
 */
export class KeepCodesPastTheirSession1764195000000 implements MigrationInterface {
  name = 'KeepCodesPastTheirSession1764195000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE authorization_codes DROP CONSTRAINT authorization_codes_session_id_hash_fkey`,
    );
    await q.query(`DROP INDEX IF EXISTS authorization_codes_session_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX authorization_codes_session_idx ON authorization_codes (session_id_hash)`,
    );
    await q.query(`UPDATE authorization_codes c SET session_id_hash = NULL
      WHERE session_id_hash IS NOT NULL AND NOT EXISTS (SELECT 1 FROM login_sessions s WHERE s.id_hash = c.session_id_hash)`);
    await q.query(`ALTER TABLE authorization_codes ADD CONSTRAINT authorization_codes_session_id_hash_fkey
      FOREIGN KEY (session_id_hash) REFERENCES login_sessions (id_hash) ON DELETE CASCADE`);
  }
}
