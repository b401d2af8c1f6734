import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The generation of a client's tokens (CONTRACT §4, `POST /admin/v1/clients/{id}/revoke-tokens`):
 * every access token carries the generation it was minted in, and one older than its client's
 * is inactive. client_credentials tokens have no grant row to revoke; this is their revocation.
 * The update fires clients_notify_changed, so every instance's client cache drops the old value.
 */
export class AddClientTokenGeneration1764420000000 implements MigrationInterface {
  name = 'AddClientTokenGeneration1764420000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE clients ADD COLUMN token_generation integer NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE clients DROP COLUMN token_generation`);
  }
}
