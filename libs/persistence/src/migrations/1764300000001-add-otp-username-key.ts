import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * CONTRACT "Recorded details": a new OTP initiation for a username invalidates its earlier
 * reference. A challenge keeps the username as sent (a leading `+` stays, for `{mobile}` and
 * `sub`) and beside it the key that names the recipient in any spelling (an MSISDN's digits,
 * the e-mail address), which is what a new initiation looks its earlier challenges up by.
 */
export class AddOtpUsernameKey1764300000001 implements MigrationInterface {
  name = 'AddOtpUsernameKey1764300000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE otp_challenges ADD COLUMN username_key text`);
    // Until now the username was stored as its key already (digits only, lower-case address).
    await q.query(`UPDATE otp_challenges SET username_key = username`);
    await q.query(`ALTER TABLE otp_challenges ALTER COLUMN username_key SET NOT NULL`);
    await q.query(`
      CREATE INDEX otp_challenges_open_by_username_key ON otp_challenges (grant_type, username_key)
      WHERE consumed_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE otp_challenges DROP COLUMN username_key`);
  }
}
