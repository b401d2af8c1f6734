import { Injectable } from '@nestjs/common';

import { Database, isUniqueViolation, Statement, Transaction } from '../database';
import { canonicalUsername, isCanonicalUuid } from '../identifiers';

/** A group row as stored. */
export interface GroupRecord {
  id: string;
  name: string;
  description: string | null;
  requireMfa: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** What a group change may set; undefined leaves a column as it is. */
export interface GroupChange {
  name?: string;
  description?: string | null;
  requireMfa?: boolean;
}

const COLUMNS = `id, name, description, require_mfa AS "requireMfa", created_at AS "createdAt",
  updated_at AS "updatedAt"`;

/**
 * Groups (table `groups`) and memberships (`group_members`). Group names are unique, compared
 * only through canonicalUsername() (the one normalisation of names, stored in `name_key`), so
 * `Admins` and `ADMINS` are one group wherever a name is looked up or compared.
 */
@Injectable()
export class GroupRepository {
  constructor(private readonly db: Database) {}

  /** Inserts the group; 'conflict' when the name is taken in any canonical spelling, even under a race. */
  async create(group: Omit<GroupRecord, 'updatedAt'>): Promise<GroupRecord | 'conflict'> {
    try {
      const rows = await this.db.query<GroupRecord>(
        `INSERT INTO groups (id, name, name_key, description, require_mfa, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING ${COLUMNS}`,
        [
          group.id,
          group.name,
          canonicalUsername(group.name),
          group.description,
          group.requireMfa,
          group.createdAt,
        ],
      );
      // Committed: a new group can put a directory group's members behind a second factor, so
      // every instance forgets its users' answers first (the trigger's '*').
      await this.db.propagateChanges();
      return rows[0];
    } catch (error) {
      if (isUniqueViolation(error)) return 'conflict';
      throw error;
    }
  }

  async findById(id: string): Promise<GroupRecord | null> {
    if (!isCanonicalUuid(id)) return null;
    const rows = await this.db.query<GroupRecord>(`SELECT ${COLUMNS} FROM groups WHERE id = $1`, [
      id,
    ]);
    return rows[0] ?? null;
  }

  /** By the canonical form of `name`. */
  async findByName(name: string, tx?: Transaction): Promise<GroupRecord | null> {
    const rows = await this.db.query<GroupRecord>(
      `SELECT ${COLUMNS} FROM groups WHERE name_key = $1`,
      [canonicalUsername(name)],
      tx,
    );
    return rows[0] ?? null;
  }

  /** Up to `limit` groups ordered by canonical name, after `afterName` (keyset pagination). */
  list(limit: number, afterName: string | null): Promise<GroupRecord[]> {
    return afterName === null
      ? this.db.query<GroupRecord>(`SELECT ${COLUMNS} FROM groups ORDER BY name_key LIMIT $1`, [
          limit,
        ])
      : this.db.query<GroupRecord>(
          `SELECT ${COLUMNS} FROM groups WHERE name_key > $2 ORDER BY name_key LIMIT $1`,
          [limit, canonicalUsername(afterName)],
        );
  }

  /** Applies `change` in one statement; null when there is no such group, 'conflict' for a taken name. */
  async update(
    id: string,
    change: GroupChange,
    now: Date,
  ): Promise<GroupRecord | null | 'conflict'> {
    if (!isCanonicalUuid(id)) return null;
    try {
      const rows = await this.db.query<GroupRecord>(
        `UPDATE groups SET
           name = COALESCE($2, name),
           name_key = COALESCE($3, name_key),
           description = CASE WHEN $4 THEN $5 ELSE description END,
           require_mfa = COALESCE($6, require_mfa),
           updated_at = $7
         WHERE id = $1
         RETURNING ${COLUMNS}`,
        [
          id,
          change.name ?? null,
          change.name === undefined ? null : canonicalUsername(change.name),
          change.description !== undefined,
          change.description ?? null,
          change.requireMfa ?? null,
          now,
        ],
      );
      // Committed: every instance's groups cache (UserInfo) drops the old name first.
      if (rows[0]) await this.db.propagateChanges();
      return rows[0] ?? null;
    } catch (error) {
      if (isUniqueViolation(error)) return 'conflict';
      throw error;
    }
  }

  /** Deletes the group and its memberships (ON DELETE CASCADE). */
  async delete(id: string): Promise<boolean> {
    if (!isCanonicalUuid(id)) return false;
    const rows = await this.db.query(`DELETE FROM groups WHERE id = $1 RETURNING id`, [id]);
    if (rows.length === 1) await this.db.propagateChanges();
    return rows.length === 1;
  }

  /**
   * Makes the user a member (again: no change when already one). False when the group or the
   * user does not exist: the insert selects both, so a concurrent delete cannot leave a row.
   */
  async addMember(groupId: string, userId: string, tx?: Transaction): Promise<boolean> {
    if (!isCanonicalUuid(groupId) || !isCanonicalUuid(userId)) return false;
    const rows = await this.db.query<{ found: boolean }>(
      `WITH pair AS (
         SELECT g.id AS group_id, u.id AS user_id FROM groups g, users u
         WHERE g.id = $1 AND u.id = $2
       ), added AS (
         INSERT INTO group_members (group_id, user_id) SELECT group_id, user_id FROM pair
         ON CONFLICT DO NOTHING
       )
       SELECT EXISTS (SELECT 1 FROM pair) AS found`,
      [groupId, userId],
      tx,
    );
    // Outside a transaction the membership is committed: every instance's groups cache drops
    // the user first; a transaction's caller propagates after its commit.
    if (!tx && rows[0]?.found === true) await this.db.propagateChanges();
    return rows[0]?.found === true;
  }

  /** Ends the membership (none is fine); false when the group or the user does not exist. */
  async removeMember(groupId: string, userId: string): Promise<boolean> {
    if (!isCanonicalUuid(groupId) || !isCanonicalUuid(userId)) return false;
    const rows = await this.db.query<{ found: boolean }>(
      `WITH removed AS (
         DELETE FROM group_members WHERE group_id = $1 AND user_id = $2
       )
       SELECT EXISTS (SELECT 1 FROM groups WHERE id = $1)
         AND EXISTS (SELECT 1 FROM users WHERE id = $2) AS found`,
      [groupId, userId],
    );
    if (rows[0]?.found === true) await this.db.propagateChanges();
    return rows[0]?.found === true;
  }

  /**
   * The group names of `userId` from every source, in one indexed statement: its local
   * memberships, then the groups its directory gave at its last sign-in (CONTRACT §4: a
   * directory group and a local group of the same name are one group; the caller merges them
   * by canonical name, as only the code case-maps).
   */
  async namesOfUser(userId: string): Promise<{ name: string; local: boolean }[]> {
    if (!isCanonicalUuid(userId)) return [];
    return this.db.query<{ name: string; local: boolean }>(
      new Statement(
        'groups.names_of_user',
        `SELECT g.name, true AS local FROM group_members m JOIN groups g ON g.id = m.group_id
       WHERE m.user_id = $1
       UNION ALL
       SELECT d.name, false AS local
       FROM directory_accounts a CROSS JOIN LATERAL jsonb_array_elements_text(a.groups) AS d(name)
       WHERE a.user_id = $1`,
      ),
      [userId],
    );
  }

  /** Whether any of the groups named (in any canonical spelling) requires a second factor. */
  async anyRequiresMfa(names: readonly string[]): Promise<boolean> {
    if (names.length === 0) return false;
    const rows = await this.db.query<{ required: boolean }>(
      new Statement(
        'groups.any_requires_mfa',
        `SELECT EXISTS (
         SELECT 1 FROM groups WHERE name_key = ANY($1::text[]) AND require_mfa
       ) AS required`,
      ),
      [names.map(canonicalUsername)],
    );
    return rows[0]?.required === true;
  }
}
