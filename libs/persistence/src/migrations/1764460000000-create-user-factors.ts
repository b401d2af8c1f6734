import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Second factors (CONTRACT "Sign-in with more than a password"): a user's TOTP factors (RFC
 * 6238), their secrets encrypted under MASTER_KEY and the last accepted time step (each code is
 * used once, §5.2); passkeys (WebAuthn) with their credential id, public key and signature
 * counter; and one-time recovery codes stored as keyed hashes. All go with the user.
 */
export class CreateUserFactors1764460000000 implements MigrationInterface {
  name = 'CreateUserFactors1764460000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE user_factors (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        type text NOT NULL,
        secret text,
        last_step bigint NOT NULL DEFAULT '0',
        credential_id text,
        public_key bytea,
        sign_count bigint,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        CONSTRAINT user_factors_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX user_factors_user_idx ON user_factors (user_id)`);
    // WebAuthn §6.1: a credential id names one credential; sign-in looks the factor up by it.
    await q.query(
      `CREATE UNIQUE INDEX user_factors_credential_id_key ON user_factors (credential_id) WHERE credential_id IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE recovery_codes (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        code_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        used_at timestamptz,
        CONSTRAINT recovery_codes_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX recovery_codes_user_idx ON recovery_codes (user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE recovery_codes`);
    await q.query(`DROP TABLE user_factors`);
  }
}
