import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The jti of client assertions (`client_assertion:<client_id>`) and of request objects
 * (`request_object:<client_id>`) become one record, `client_jwt:<client_id>`, so a JWT spent as
 * one is refused as the other (RFC 8725 §3.12). Entries spent before the upgrade move along, so
 * a replay across the upgrade is still refused; of two, the later expiry wins.
 */
export class MergeClientJwtIdentifiers1764212000000 implements MigrationInterface {
  name = 'MergeClientJwtIdentifiers1764212000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      INSERT INTO used_identifiers (namespace, value, expires_at)
      SELECT 'client_jwt:' || substring(namespace FROM position(':' IN namespace) + 1), value, max(expires_at)
      FROM used_identifiers
      WHERE starts_with(namespace, 'client_assertion:') OR starts_with(namespace, 'request_object:')
      GROUP BY 1, 2
      ON CONFLICT (namespace, value) DO UPDATE SET expires_at = GREATEST(used_identifiers.expires_at, EXCLUDED.expires_at)`);
    await q.query(`
      DELETE FROM used_identifiers
      WHERE starts_with(namespace, 'client_assertion:') OR starts_with(namespace, 'request_object:')`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const prefix of ['client_assertion:', 'request_object:']) {
      await q.query(
        `INSERT INTO used_identifiers (namespace, value, expires_at)
         SELECT $1 || substring(namespace FROM length('client_jwt:') + 1), value, expires_at
         FROM used_identifiers WHERE starts_with(namespace, 'client_jwt:')
         ON CONFLICT (namespace, value) DO NOTHING`,
        [prefix],
      );
    }
    await q.query(`DELETE FROM used_identifiers WHERE starts_with(namespace, 'client_jwt:')`);
  }
}
