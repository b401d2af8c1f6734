import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Second factors (CONTRACT "Sign-in with more than a password"): a user's TOTP factors (RFC
 * 6238), their secrets encrypted under MASTER_KEY and the last accepted time step (each code is
 * used once, §5.2), and one-time recovery codes stored as keyed hashes. Both go with the user.
 */
export class CreateUserFactors1764460000000 implements MigrationInterface {
  name = 'CreateUserFactors1764460000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE user_factors (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        type text NOT NULL,
        secret text NOT NULL,
        last_step bigint NOT NULL DEFAULT '0',
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        CONSTRAINT user_factors_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX user_factors_user_idx ON user_factors (user_id)`);
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
