import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Groups and their members (CONTRACT §4 groups, client metadata `allowed_groups`, the `groups`
 * claim). A group is known by its name, unique in the canonical form of usernames (`name_key`,
 * canonicalUsername) so `Admins` and `ADMINS` are one group, as a directory's group of the same
 * name will be. Memberships go with their group or user (ON DELETE CASCADE); the index on
 * `user_id` serves "the groups of this user", read at every sign-in and token.
 */
export class CreateGroups1764440000000 implements MigrationInterface {
  name = 'CreateGroups1764440000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE groups (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        name_key text NOT NULL,
        description text,
        require_mfa boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT groups_name_key_key UNIQUE (name_key)
      )`);
    await q.query(`
      CREATE TABLE group_members (
        group_id uuid NOT NULL,
        user_id uuid NOT NULL,
        CONSTRAINT group_members_pkey PRIMARY KEY (group_id, user_id),
        CONSTRAINT group_members_group_id_fkey FOREIGN KEY (group_id)
          REFERENCES groups (id) ON DELETE CASCADE,
        CONSTRAINT group_members_user_id_fkey FOREIGN KEY (user_id)
          REFERENCES users (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX group_members_user_idx ON group_members (user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE group_members`);
    await q.query(`DROP TABLE groups`);
  }
}
