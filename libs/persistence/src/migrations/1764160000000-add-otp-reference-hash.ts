import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * OTP challenges are found by the SHA-256 of their opaque reference (CONTRACT "One-time
 * password grants"): one unique column, so validation is one indexed UPDATE.
 */
export class AddOtpReferenceHash1764160000000 implements MigrationInterface {
  name = 'AddOtpReferenceHash1764160000000';

  async up(q: QueryRunner): Promise<void> {
    // Nothing wrote this table before this migration; a row without a reference could never
    // be validated anyway.
    await q.query(`DELETE FROM otp_challenges`);
    await q.query(`ALTER TABLE otp_challenges ADD COLUMN reference_hash bytea NOT NULL`);
    await q.query(
      `ALTER TABLE otp_challenges ADD CONSTRAINT otp_challenges_reference_hash_key UNIQUE (reference_hash)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE otp_challenges DROP COLUMN reference_hash`);
  }
}
