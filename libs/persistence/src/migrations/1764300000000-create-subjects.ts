import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * OpenID Connect Core §2: a `sub` names one person at this issuer. Every `sub` an external
 * identity source (a SAML issuer, an OTP channel) was given is recorded with the source and
 * the value it presented, so no second source can be handed the same `sub`: the primary key
 * gives each `sub` one owner, the unique pair gives each presented value one `sub`.
 */
export class CreateSubjects1764300000000 implements MigrationInterface {
  name = 'CreateSubjects1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE subjects (
        sub text PRIMARY KEY,
        source text NOT NULL,
        external_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT subjects_source_external_id_key UNIQUE (source, external_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE subjects`);
  }
}
