import { Injectable } from '@nestjs/common';
import { And, Equal, MoreThan, QueryDeepPartialEntity } from 'typeorm';

import { Database, isUniqueViolation, Statement, Transaction } from '../database';
import { UserEntity } from '../entities';
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

/** What a UserRecord is made of: everything but the lookup key. */
const SELECTED = {
  id: true,
  username: true,
  passwordHash: true,
  claims: true,
  createdAt: true,
  updatedAt: true,
} as const;

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
    const row: UserRecord = { ...user, updatedAt: user.createdAt };
    try {
      // jsonb (claims): TypeORM's insert type cannot see through `unknown`.
      const entity = {
        ...row,
        usernameKey: canonicalUsername(user.username),
      } as QueryDeepPartialEntity<UserEntity>;
      await this.db.use(UserEntity, (users) => users.insert(entity));
      return row;
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  /** Userinfo and password sign-in read users on every request: one plain statement, as findByUsername. */
  async findById(id: string): Promise<UserRecord | null> {
    if (!isCanonicalUuid(id)) return null;
    const rows = await this.db.query<UserRecord>(
      new Statement('users.find_by_id', `SELECT ${COLUMNS} FROM users WHERE id = $1`),
      [id],
    );
    return rows[0] ?? null;
  }

  /** By the canonical form of `username` (canonicalUsername). */
  async findByUsername(username: string): Promise<UserRecord | null> {
    const rows = await this.db.query<UserRecord>(
      new Statement(
        'users.find_by_username',
        `SELECT ${COLUMNS} FROM users WHERE username_key = $1`,
      ),
      [canonicalUsername(username)],
    );
    return rows[0] ?? null;
  }

  /**
   * Up to `limit` users ordered by canonical username, after `afterUsername` (keyset
   * pagination), only the one whose username is canonically `username` when given.
   */
  list(
    limit: number,
    afterUsername: string | null,
    username: string | null,
  ): Promise<UserRecord[]> {
    const key = [
      ...(afterUsername === null ? [] : [MoreThan(canonicalUsername(afterUsername))]),
      ...(username === null ? [] : [Equal(canonicalUsername(username))]),
    ];
    const where = key.length ? { usernameKey: And(...key) } : {};
    return this.db.use(UserEntity, (users) =>
      users.find({ select: SELECTED, where, order: { usernameKey: 'ASC' }, take: limit }),
    );
  }

  /**
   * Sets the username with its canonical key (when given), the password hash (when given) and
   * merges `claims` into the stored ones in one statement: a member set to null is removed
   * (RFC 7396 merge semantics). Null when there is no such user; 'username_taken' when another
   * user holds the username in canonical form (the unique key decides, even under a race; in
   * `tx` the transaction is then aborted and must be rolled back).
   */
  async update(
    id: string,
    change: { username?: string; passwordHash?: string; claims?: Record<string, unknown> },
    now: Date,
    tx?: Transaction,
  ): Promise<UserRecord | null | 'username_taken'> {
    if (!isCanonicalUuid(id)) return null;
    let rows: UserRecord[];
    try {
      rows = await this.db.query<UserRecord>(
        `UPDATE users SET
           username = COALESCE($2, username),
           username_key = COALESCE($3, username_key),
           password_hash = COALESCE($4, password_hash),
           claims = jsonb_strip_nulls(claims || $5::jsonb),
           updated_at = $6
         WHERE id = $1
         RETURNING ${COLUMNS}`,
        [
          id,
          change.username ?? null,
          change.username === undefined ? null : canonicalUsername(change.username),
          change.passwordHash ?? null,
          JSON.stringify(change.claims ?? {}),
          now,
        ],
        tx,
      );
    } catch (error) {
      if (isUniqueViolation(error)) return 'username_taken';
      throw error;
    }
    // Outside a transaction the change is committed: every instance's user caches (UserInfo,
    // keyed by id; the trigger notifies on any change of the row, a rename too) drop the user
    // first; a transaction's caller propagates after its commit.
    if (rows[0] && !tx) await this.db.propagateChanges();
    return rows[0] ?? null;
  }

  /**
   * The user's username as stored and whether it is linked to a directory entry (a directory
   * sign-in gives it the entry's username), read in `tx`, which locked the row (lockForChange);
   * null when there is no such user.
   */
  async usernameForChange(
    id: string,
    tx: Transaction,
  ): Promise<{ username: string; directoryLinked: boolean } | null> {
    if (!isCanonicalUuid(id)) return null;
    const rows = await this.db.query<{ username: string; directoryLinked: boolean }>(
      `SELECT u.username,
         EXISTS (SELECT 1 FROM directory_accounts d WHERE d.user_id = u.id) AS "directoryLinked"
       FROM users u WHERE u.id = $1`,
      [id],
      tx,
    );
    return rows[0] ?? null;
  }

  /**
   * Replaces the password hash with a stronger one of the same password (rehash at sign-in),
   * only while it is still `current`: no grant is revoked and `updated_at` (a claim) stays.
   */
  async replacePasswordHash(id: string, current: string, upgraded: string): Promise<boolean> {
    if (!isCanonicalUuid(id)) return false;
    const rows = await this.db.query(
      `UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2 RETURNING id`,
      [id, current, upgraded],
    );
    return rows.length === 1;
  }

  /** The canonical forms among `usernames` that are taken (user import). */
  async takenUsernameKeys(usernames: readonly string[]): Promise<Set<string>> {
    if (usernames.length === 0) return new Set();
    const rows = await this.db.query<{ key: string }>(
      `SELECT username_key AS key FROM users WHERE username_key = ANY($1::text[])`,
      [usernames.map(canonicalUsername)],
    );
    return new Set(rows.map((r) => r.key));
  }

  /**
   * Inserts every user in one statement, so all of them are stored or none; false when a
   * username was taken meanwhile (in any canonical spelling).
   */
  async createMany(users: readonly Omit<UserRecord, 'updatedAt'>[]): Promise<boolean> {
    if (users.length === 0) return true;
    const entities = users.map(
      (user) =>
        ({
          ...user,
          updatedAt: user.createdAt,
          usernameKey: canonicalUsername(user.username),
        }) as QueryDeepPartialEntity<UserEntity>,
    );
    try {
      await this.db.use(UserEntity, (rows) => rows.insert(entities));
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /**
   * Locks the user's row until `tx` ends: no session or grant of the user can be added meanwhile
   * (their foreign keys wait for it), so whatever ends the user's sessions in `tx` ends them all.
   */
  async lockForChange(id: string, tx: Transaction): Promise<void> {
    await this.db.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [id], tx);
  }

  /**
   * Deletes the user in `tx`; grants, sessions and codes go with it (ON DELETE CASCADE). The
   * caller propagates the change once committed, so every token cache drops the grants.
   */
  async delete(id: string, tx: Transaction): Promise<boolean> {
    if (!isCanonicalUuid(id)) return false;
    const rows = await this.db.query<{ id: string }>(
      'DELETE FROM users WHERE id = $1 RETURNING id',
      [id],
      tx,
    );
    return rows.length === 1;
  }
}
