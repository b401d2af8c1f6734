import { MigrationInterface, QueryRunner } from 'typeorm';

/** Claims a grant releases at userinfo beyond a registered user's own (OTP e-mail/phone, SAML attributes). */
export class AddGrantClaims1764150000000 implements MigrationInterface {
  name = 'AddGrantClaims1764150000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE grants ADD COLUMN claims jsonb NOT NULL DEFAULT '{}'::jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE grants DROP COLUMN claims`);
  }
}
