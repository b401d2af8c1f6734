import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the authorization code flow needs beyond the initial columns: whether the authorization
 * request carried redirect_uri (RFC 6749 §4.1.3 then requires it at the token endpoint), the
 * browser session the code came from (ending the session voids its unredeemed codes), and when
 * a redeemed code was presented again (RFC 6749 §4.1.2: revoke what it issued).
 */
export class AddAuthorizationCodeBindings1764175000000 implements MigrationInterface {
  name = 'AddAuthorizationCodeBindings1764175000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE authorization_codes
        ADD COLUMN redirect_uri_sent boolean NOT NULL DEFAULT true,
        ADD COLUMN session_id_hash bytea REFERENCES login_sessions (id_hash) ON DELETE CASCADE,
        ADD COLUMN replayed_at timestamptz`);
    await q.query(
      `CREATE INDEX authorization_codes_session_idx ON authorization_codes (session_id_hash)`,
    );
    await q.query(`CREATE INDEX login_sessions_user_idx ON login_sessions (user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS login_sessions_user_idx`);
    await q.query(`DROP INDEX IF EXISTS authorization_codes_session_idx`);
    await q.query(`
      ALTER TABLE authorization_codes
        DROP COLUMN replayed_at,
        DROP COLUMN session_id_hash,
        DROP COLUMN redirect_uri_sent`);
  }
}
