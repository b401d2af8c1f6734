import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * LDAP / Active Directory federation (CONTRACT §4 `directories`). `directories` holds each
 * directory's connection and mapping, its service account's password encrypted with MASTER_KEY
 * (never stored or returned in clear). `directory_accounts` links a local user to the entry it
 * signs in as, by the directory's stable id attribute (entryUUID, objectGUID), never the DN, so
 * the user's id (its `sub`) survives renames and moves; it also keeps the group names the
 * directory gave at the last sign-in. Deleting a directory deletes its users' links (the service
 * deletes the users themselves in the same transaction).
 */
export class CreateDirectories1764450000000 implements MigrationInterface {
  name = 'CreateDirectories1764450000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE directories (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        url text NOT NULL,
        start_tls boolean NOT NULL DEFAULT false,
        bind_dn text NOT NULL,
        bind_password_encrypted text NOT NULL,
        user_base_dn text NOT NULL,
        user_filter text NOT NULL,
        attributes jsonb NOT NULL,
        group_base_dn text,
        group_filter text,
        member_of_attribute text,
        group_name_attribute text NOT NULL DEFAULT 'cn',
        ca_certificate text,
        timeout_ms integer NOT NULL DEFAULT 3000,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT directories_name_key UNIQUE (name)
      )`);
    await q.query(`
      CREATE TABLE directory_accounts (
        user_id uuid PRIMARY KEY
          CONSTRAINT directory_accounts_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
        directory_id uuid NOT NULL
          CONSTRAINT directory_accounts_directory_id_fkey REFERENCES directories (id) ON DELETE CASCADE,
        external_id text NOT NULL,
        dn text NOT NULL,
        groups jsonb NOT NULL DEFAULT '[]',
        synced_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT directory_accounts_directory_id_external_id_key UNIQUE (directory_id, external_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE directory_accounts`);
    await q.query(`DROP TABLE directories`);
  }
}
