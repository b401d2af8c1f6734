import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Admin API keys (CONTRACT §4): a name, the scopes the key may use, and the SHA-256 digest of
 * the key, never the key itself (STYLE §3: values we mint are stored as hashes). The unique
 * digest is the index every admin request looks a key up by.
 */
export class CreateApiKeys1764410000000 implements MigrationInterface {
  name = 'CreateApiKeys1764410000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        scopes jsonb NOT NULL,
        key_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE api_keys`);
  }
}
