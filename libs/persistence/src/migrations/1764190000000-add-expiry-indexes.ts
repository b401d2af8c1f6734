import { MigrationInterface, QueryRunner } from 'typeorm';

/** Indexes the housekeeping purge uses to find expired rows without scanning whole tables. */
export class AddExpiryIndexes1764190000000 implements MigrationInterface {
  name = 'AddExpiryIndexes1764190000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX refresh_tokens_expires_idx ON refresh_tokens (expires_at)`);
    await q.query(
      `CREATE INDEX revoked_access_tokens_expires_idx ON revoked_access_tokens (expires_at)`,
    );
    await q.query(
      `CREATE INDEX authorization_codes_expires_idx ON authorization_codes (expires_at)`,
    );
    await q.query(`CREATE INDEX login_sessions_expires_idx ON login_sessions (expires_at)`);
    await q.query(`CREATE INDEX otp_challenges_expires_idx ON otp_challenges (expires_at)`);
    await q.query(`CREATE INDEX grants_created_idx ON grants (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const index of [
      'refresh_tokens_expires_idx',
      'revoked_access_tokens_expires_idx',
      'authorization_codes_expires_idx',
      'login_sessions_expires_idx',
      'otp_challenges_expires_idx',
      'grants_created_idx',
    ]) {
      await q.query(`DROP INDEX IF EXISTS ${index}`);
    }
  }
}
