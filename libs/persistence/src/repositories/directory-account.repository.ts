import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import { Database, isUniqueViolation, Transaction } from '../database';
import { canonicalUsername, isCanonicalUuid } from '../identifiers';
import { UserRecord } from './user.repository';

/**
 * The password hash of a user who signs in at a directory: not a PHC string, so no password
 * ever verifies against it (as `!` in /etc/shadow). Setting a password through the admin API
 * replaces it and makes the user a local one.
 */
export const DIRECTORY_PASSWORD_HASH = '!directory';

/** What a successful directory sign-in read from the entry. */
export interface DirectoryEntrySnapshot {
  readonly directoryId: string;
  /** The id attribute's value (entryUUID; objectGUID in canonical string form). */
  readonly externalId: string;
  readonly dn: string;
  readonly username: string;
  /** Mapped claims; a claim the entry no longer has is null (removed). */
  readonly claims: Record<string, string | null>;
  readonly groups: readonly string[];
}

/**
 * Why the entry could not become a local user: its username belongs to another user, or its
 * directory was deleted while the sign-in was under way (the link's foreign key refused it).
 */
export type DirectoryAccountConflict = 'username_taken' | 'directory_removed';

/** Foreign key violation (23503) on the link's directory: the directory is gone. */
function isDirectoryRemoved(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string } | null;
  return e?.code === '23503' && e.constraint === 'directory_accounts_directory_id_fkey';
}

const USER_COLUMNS = `u.id, u.username, u.password_hash AS "passwordHash", u.claims,
  u.created_at AS "createdAt", u.updated_at AS "updatedAt"`;

/** Links of local users to directory entries (table `directory_accounts`). */
@Injectable()
export class DirectoryAccountRepository {
  constructor(private readonly db: Database) {}

  /**
   * Creates or updates the local user of the entry, found by (directory, external id): claims,
   * DN and groups replaced by the directory's, the username too unless another user holds it
   * (then the old one stays). A new entry whose username another user holds is a conflict.
   */
  async synchronize(
    entry: DirectoryEntrySnapshot,
    now: Date,
  ): Promise<UserRecord | DirectoryAccountConflict> {
    let result: UserRecord | DirectoryAccountConflict;
    try {
      result = await this.upsertOnce(entry, now);
    } catch (error) {
      // Two first sign-ins of one entry at once: the loser finds the winner's link.
      if (!isUniqueViolation(error)) throw error;
      result = await this.upsertOnce(entry, now);
    }
    // Committed: every instance's claims cache (UserInfo) drops the user's old claims first.
    if (typeof result !== 'string') await this.db.propagateChanges();
    return result;
  }

  /** One transaction of `upsert`; a directory deleted meanwhile rolls it back, user and all. */
  private async upsertOnce(
    entry: DirectoryEntrySnapshot,
    now: Date,
  ): Promise<UserRecord | DirectoryAccountConflict> {
    try {
      return await this.db.transaction((tx) => this.upsert(entry, now, tx));
    } catch (error) {
      if (isDirectoryRemoved(error)) return 'directory_removed';
      throw error;
    }
  }

  /** The names of the user's directory groups at their last sign-in ([] for a local user). */
  async findGroups(userId: string): Promise<string[]> {
    if (!isCanonicalUuid(userId)) return [];
    const rows = await this.db.query<{ groups: string[] }>(
      `SELECT groups FROM directory_accounts WHERE user_id = $1`,
      [userId],
    );
    return rows[0]?.groups ?? [];
  }

  private async upsert(
    entry: DirectoryEntrySnapshot,
    now: Date,
    tx: Transaction,
  ): Promise<UserRecord | DirectoryAccountConflict> {
    const claims = JSON.stringify(entry.claims);
    const linked = await this.db.query<{ userId: string }>(
      `UPDATE directory_accounts SET dn = $3, groups = $4, synced_at = $5
       WHERE directory_id = $1 AND external_id = $2
       RETURNING user_id AS "userId"`,
      [entry.directoryId, entry.externalId, entry.dn, JSON.stringify(entry.groups), now],
      tx,
    );
    if (linked.length === 1) {
      // A renamed entry keeps its user; the new username only when no other user holds it.
      const rows = await this.db.query<UserRecord>(
        `WITH free AS (
           SELECT NOT EXISTS (SELECT 1 FROM users WHERE username_key = $3 AND id <> $1) AS yes
         )
         UPDATE users u SET
           username = CASE WHEN free.yes THEN $2 ELSE u.username END,
           username_key = CASE WHEN free.yes THEN $3 ELSE u.username_key END,
           claims = jsonb_strip_nulls(u.claims || $4::jsonb),
           updated_at = $5
         FROM free
         WHERE u.id = $1
         RETURNING ${USER_COLUMNS}`,
        [linked[0].userId, entry.username, canonicalUsername(entry.username), claims, now],
        tx,
      );
      return rows[0];
    }
    const created = await this.db.query<UserRecord>(
      `INSERT INTO users AS u (id, username, username_key, password_hash, claims, created_at, updated_at)
       VALUES ($1, $2, $3, $4, jsonb_strip_nulls($5::jsonb), $6, $6)
       ON CONFLICT (username_key) DO NOTHING
       RETURNING ${USER_COLUMNS}`,
      [
        randomUUID(),
        entry.username,
        canonicalUsername(entry.username),
        DIRECTORY_PASSWORD_HASH,
        claims,
        now,
      ],
      tx,
    );
    if (created.length === 0) return 'username_taken';
    await this.db.query(
      `INSERT INTO directory_accounts (user_id, directory_id, external_id, dn, groups, synced_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        created[0].id,
        entry.directoryId,
        entry.externalId,
        entry.dn,
        JSON.stringify(entry.groups),
        now,
      ],
      tx,
    );
    return created[0];
  }
}
