import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The claims an authorization request asked for one by one (OpenID Connect Core §5.5), carried
 * from the code to its grant, so the ID tokens and UserInfo of every refresh release them too.
 */
export class AddRequestedClaims1764400000000 implements MigrationInterface {
  name = 'AddRequestedClaims1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE authorization_codes ADD COLUMN requested_claims jsonb`);
    await q.query(`ALTER TABLE grants ADD COLUMN requested_claims jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE grants DROP COLUMN requested_claims`);
    await q.query(`ALTER TABLE authorization_codes DROP COLUMN requested_claims`);
  }
}
