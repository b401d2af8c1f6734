import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Logout and sessions (OpenID Connect RP-Initiated Logout 1.0, Back-Channel Logout 1.0):
 * - every login session gets a public `sid` (Back-Channel Logout §2.1), kept when the same user
 *   signs in again in that browser, while the cookie value itself rotates;
 * - codes and grants remember the sid they came from, so ending a session can revoke its grants
 *   (those without offline_access) and find the clients that took tokens in it;
 * - logout tokens waiting to be delivered are rows, so a restart or another instance loses
 *   none of them (`next_attempt_at` is both the backoff and the lease of the instance sending it).
 */
export class AddSessionLogout1764430000000 implements MigrationInterface {
  name = 'AddSessionLogout1764430000000';

  async up(q: QueryRunner): Promise<void> {
    // Sessions alive at upgrade get a sid of their own; new ones get theirs from the server.
    await q.query(`ALTER TABLE login_sessions ADD COLUMN sid uuid`);
    await q.query(`UPDATE login_sessions SET sid = gen_random_uuid()`);
    await q.query(`ALTER TABLE login_sessions ALTER COLUMN sid SET NOT NULL`);
    await q.query(`ALTER TABLE login_sessions ADD CONSTRAINT login_sessions_sid_key UNIQUE (sid)`);
    await q.query(`ALTER TABLE authorization_codes ADD COLUMN sid uuid`);
    await q.query(`ALTER TABLE grants ADD COLUMN session_id uuid`);
    await q.query(`CREATE INDEX grants_session_idx ON grants (session_id)`);
    await q.query(`CREATE INDEX grants_client_idx ON grants (client_id)`);
    await q.query(`CREATE INDEX grants_user_idx ON grants (user_id)`);
    await q.query(`
      CREATE TABLE backchannel_logouts (
        id uuid PRIMARY KEY,
        client_id uuid NOT NULL,
        sid uuid NOT NULL,
        subject text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        CONSTRAINT backchannel_logouts_client_id_fkey FOREIGN KEY (client_id) REFERENCES clients (client_id) ON DELETE CASCADE
      )`);
    await q.query(
      `CREATE INDEX backchannel_logouts_due_idx ON backchannel_logouts (next_attempt_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE backchannel_logouts`);
    await q.query(`DROP INDEX grants_user_idx`);
    await q.query(`DROP INDEX grants_client_idx`);
    await q.query(`DROP INDEX grants_session_idx`);
    await q.query(`ALTER TABLE grants DROP COLUMN session_id`);
    await q.query(`ALTER TABLE authorization_codes DROP COLUMN sid`);
    await q.query(`ALTER TABLE login_sessions DROP CONSTRAINT login_sessions_sid_key`);
    await q.query(`ALTER TABLE login_sessions DROP COLUMN sid`);
  }
}
