import { Injectable } from '@nestjs/common';

import { Database, isUniqueViolation, Queryable } from '../database';
import { canonicalUsername, isCanonicalUuid } from '../identifiers';

/** A user row as stored. */
export interface UserRecord {
  id: string;
  username: string;
  /** argon2id PHC string. */
  passwordHash: string;
  /** OIDC standard claims (email, phone_number, name, ...). */
  claims: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}


const COLUMNS = `id, username, password_hash AS "passwordHash", claims, created_at AS "createdAt",
  updated_at AS "updatedAt"`;

/**
 * Users (table `users`). Usernames are unique, compared and looked up only through
 * canonicalUsername(), stored in `username_key`; the database never case-maps them itself.
 */
@Injectable()
export class UserRepository {
  constructor(private readonly db: Database) {}

  /** Inserts the user; null when the username is taken (in any canonical spelling), even under a race. */
  async create(user: Omit<UserRecord, 'updatedAt'>): Promise<UserRecord | null> {
    try {
      const rows = await this.db.query<UserRecord>(
        `INSERT INTO users (id, username, username_key, password_hash, claims, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)
         RETURNING ${COLUMNS}`,
        [user.id, user.username, canonicalUsername(user.username), user.passwordHash, JSON.stringify(user.claims), user.createdAt],
      );
      return rows[0];
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  async findById(id: string): Promise<UserRecord | null> {
    if (!isCanonicalUuid(id)) return null;
    const rows = await this.db.query<UserRecord>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** By the canonical form of `username` (canonicalUsername). */
  async findByUsername(username: string): Promise<UserRecord | null> {
    const rows = await this.db.query<UserRecord>(`SELECT ${COLUMNS} FROM users WHERE username_key = $1`, [
      canonicalUsername(username),
    ]);
    return rows[0] ?? null;
  }

  /**
   * Up to `limit` users ordered by canonical username, after `afterUsername` (keyset
   * pagination), only the one whose username is canonically `username` when given.
   */
  list(limit: number, afterUsername: string | null, username: string | null): Promise<UserRecord[]> {
    const canonical = (value: string | null) => (value === null ? null : canonicalUsername(value));
    return this.db.query<UserRecord>(
      `SELECT ${COLUMNS} FROM users
       WHERE ($2::text IS NULL OR username_key > $2::text)
         AND ($3::text IS NULL OR username_key = $3::text)
       ORDER BY username_key LIMIT $1`,
      [limit, canonical(afterUsername), canonical(username)],
    );
  }

  /**
   * Sets the password hash (when given) and merges `claims` into the stored ones in one
   * statement: a member set to null is removed (RFC 7396 merge semantics). Null when there
   * is no such user.
   */
  async update(
    id: string,
    change: { passwordHash?: string; claims?: Record<string, unknown> },
    now: Date,
    tx: Queryable = this.db,
  ): Promise<UserRecord | null> {
    if (!isCanonicalUuid(id)) return null;
    const rows = await tx.query<UserRecord>(
      `UPDATE users SET
         password_hash = COALESCE($2, password_hash),
         claims = jsonb_strip_nulls(claims || $3::jsonb),
         updated_at = $4
       WHERE id = $1
       RETURNING ${COLUMNS}`,
      [id, change.passwordHash ?? null, JSON.stringify(change.claims ?? {}), now],
    );
    return rows[0] ?? null;
  }

  /** Deletes the user; grants, sessions and codes go with it (ON DELETE CASCADE). */
  async delete(id: string): Promise<boolean> {
    if (!isCanonicalUuid(id)) return false;
    const rows = await this.db.query('DELETE FROM users WHERE id = $1 RETURNING 1', [id]);
    // Its grants went with it (cascade): every instance's token cache drops them first.
    if (rows.length === 1) await this.db.propagateChanges();
    return rows.length === 1;
  }
}
