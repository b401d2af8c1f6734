import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import { Clock } from '@app/config';
import { OAuthError } from '@app/errors';
import {
  AuditContext,
  AuditEvent,
  AuditLog,
  AuthorizationCodeRepository,
  canonicalUsername,
  Database,
  GrantRepository,
  isCanonicalUuid,
  LoginSessionRepository,
  SessionEndings,
  Transaction,
  UserRepository,
} from '@app/persistence';

import { importedHashAlgorithm } from './imported-password-hash';
import { PasswordHasher } from './password-hasher';
import { assertPasswordAllowed } from './password-policy';
import {
  toUserAccount,
  USER_CLAIM_NAMES,
  UserAccount,
  UserClaims,
  UserClaimsPatch,
} from './user-account';

/** What creating a user takes. */
export interface NewUser {
  readonly username: string;
  readonly password: string;
  readonly claims: UserClaims;
}

/** A user brought over from another system, with the password hash it had there. */
export interface ImportedUser {
  readonly username: string;
  /** argon2 PHC, bcrypt ($2a$/$2b$/$2y$) or passlib pbkdf2-sha256; rehashed at the first sign-in. */
  readonly passwordHash: string;
  readonly claims: UserClaims;
}

/** What an import did, or would do, for one user. */
export interface ImportResult {
  readonly username: string;
  readonly status: 'created' | 'would_create';
}

/** A change of a user: a new username, a new password and/or claims (null removes a claim). */
export interface UserPatch {
  /** Checked by the caller against the rules of a new user's username (admin API DTO). */
  readonly username?: string;
  readonly password?: string;
  readonly claims?: UserClaimsPatch;
}

/** One page of users; `nextCursor` is null on the last page. */
export interface UserPage {
  readonly items: UserAccount[];
  readonly nextCursor: string | null;
}

/** Users: create, read, change, delete, list. Passwords are argon2id hashes, never returned. */
@Injectable()
export class AccountService {
  constructor(
    private readonly db: Database,
    private readonly users: UserRepository,
    private readonly grants: GrantRepository,
    private readonly loginSessions: LoginSessionRepository,
    private readonly codes: AuthorizationCodeRepository,
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock,
    private readonly endings: SessionEndings,
    private readonly audit: AuditLog,
  ) {}

  /** Creates the user; invalid_request for a password the policy refuses, conflict for a taken username. */
  async create(user: NewUser): Promise<UserAccount> {
    assertPasswordAllowed(user.password, user.username);
    const created = await this.users.create({
      id: randomUUID(),
      username: user.username,
      passwordHash: await this.hasher.hash(user.password),
      claims: pickClaims(user.claims),
      createdAt: this.clock.now(),
    });
    if (!created) throw usernameTaken();
    return toUserAccount(created);
  }

  async findById(id: string): Promise<UserAccount | null> {
    const record = await this.users.findById(id);
    return record ? toUserAccount(record) : null;
  }

  /** By the canonical form of the username (NFKC, case-folded): `Alice` finds `alice`. */
  async findByUsername(username: string): Promise<UserAccount | null> {
    const record = await this.users.findByUsername(username);
    return record ? toUserAccount(record) : null;
  }

  /**
   * Applies `patch`; null when there is no such user. A new password also revokes every grant of
   * the user (so their refresh tokens and the access tokens from them), ends their login
   * sessions and deletes their unredeemed authorization codes, in the same transaction: whoever held the old password keeps nothing it obtained
   * (RFC 9700 §4.14.2, CONTRACT §3).
   *
   * A new username (see rename) goes in that same transaction, with the rest of the patch: a
   * refused name changes nothing at all. conflict when another user holds it in canonical form,
   * as on create; invalid_request on `username` for a user of a directory.
   */
  async patch(id: string, patch: UserPatch, source: AuditContext): Promise<UserAccount | null> {
    const claims = patch.claims ? pickClaims(patch.claims) : undefined;
    const now = this.clock.now();
    if (patch.password === undefined && patch.username === undefined) {
      const updated = await this.users.update(id, { claims }, now);
      return updated && updated !== 'username_taken' ? toUserAccount(updated) : null;
    }
    const current = await this.users.findById(id);
    if (!current) return null;
    let passwordHash: string | undefined;
    if (patch.password !== undefined) {
      // Neither today's username nor the one a rename in the same patch gives the user.
      assertPasswordAllowed(patch.password, current.username);
      if (patch.username !== undefined) assertPasswordAllowed(patch.password, patch.username);
      passwordHash = await this.hasher.hash(patch.password);
    }
    const updated = await this.db.transaction(async (tx) => {
      await this.users.lockForChange(id, tx);
      const renamed =
        patch.username === undefined ? null : await this.rename(id, patch.username, source, tx);
      const row = await this.users.update(
        id,
        { username: renamed?.username, passwordHash, claims },
        now,
        tx,
      );
      // Thrown inside: the transaction (aborted by the unique key) rolls back, nothing changed.
      if (row === 'username_taken') throw usernameTaken();
      if (row && passwordHash !== undefined) {
        await this.grants.revokeByUser(id, now, tx);
        const ended = await this.loginSessions.deleteByUser(id, tx);
        // Back-Channel Logout 1.0 §2.7: the clients of the ended sessions are told.
        await this.endings.record(ended, 'password_changed', source, now, tx);
        await this.codes.deleteUnredeemedByUser(id, tx);
      }
      if (row && renamed) await this.audit.record(renamed.event, tx);
      return row;
    });
    if (!updated) return null;
    // Committed: every instance's user caches (keyed by id, emptied by the users trigger on any
    // change of the row, a rename too) forget the user before the answer, and a new password's
    // ended sessions get their logout tokens.
    if (passwordHash !== undefined) await this.endings.published();
    else await this.db.propagateChanges();
    return toUserAccount(updated);
  }

  /**
   * In `tx`, which locked the user's row: the username to store, or null when `username` is the
   * stored one exactly (nothing to change: a client may send back the user as it read it), with
   * its `user.renamed` audit event (both names: neither is a secret). Another letter case or
   * spelling of the same canonical name is a rename, to the user's own key, so it never
   * conflicts; whether another user holds the name is left to the unique key in the update.
   *
   * What else knows a user by name stays right without more work here: every cache of users is
   * keyed by id (the sub) and emptied on every instance by the users trigger; sign-in and
   * `GET /users?username=` look the name up in the database each time. The sign-in failure
   * counters of a known user are keyed by its id (PasswordLogin), so they follow the user to the
   * new name and a rename does not clear a lock-out; the old name is from now on an unknown
   * username, counted in the shared buckets of unknown names like any other, which tell nothing
   * about the user, so they need no cleaning either.
   *
   * A user linked to a directory entry is refused, even one given a local password since: a
   * sign-in at the directory with the entry's name (unknown here after a rename, so the directory
   * is asked) writes the entry's username back over the local one (DirectoryAccountRepository
   * .synchronize), and a directory user's sign-in with the new name asks the directory for a
   * name it does not know, so a rename here would either lock the user out or be undone at the
   * next sign-in. Rename the entry in the directory instead: the user follows it.
   */
  private async rename(
    id: string,
    username: string,
    source: AuditContext,
    tx: Transaction,
  ): Promise<{ username: string; event: AuditEvent } | null> {
    const stored = await this.users.usernameForChange(id, tx);
    if (!stored || stored.username === username) return null;
    if (stored.directoryLinked) {
      throw new OAuthError('invalid_request', 'The username of a directory user cannot change.', {
        fields: [
          {
            field: 'username',
            problems: [
              'cannot change: the user signs in through a directory, whose entry gives the username',
            ],
          },
        ],
      });
    }
    return {
      username,
      event: {
        type: 'user.renamed',
        outcome: 'success',
        subject: id,
        actor: source.actor,
        ip: source.ip,
        details: { previous_username: stored.username, username },
      },
    };
  }

  /**
   * CONTRACT §4 users/import: every user is checked first (hash format, a username twice in the
   * batch or already taken, in canonical form), and any problem refuses the whole batch with
   * each offending user's index and fields; then all are stored in one statement, or none.
   * `dryRun` checks and writes nothing.
   */
  async importUsers(users: readonly ImportedUser[], dryRun: boolean): Promise<ImportResult[]> {
    const problems: { field: string; problems: string[] }[] = [];
    const taken = await this.users.takenUsernameKeys(users.map((u) => u.username));
    const seen = new Map<string, number>();
    users.forEach((user, i) => {
      const key = canonicalUsername(user.username);
      const hash = importedHashAlgorithm(user.passwordHash);
      if ('problem' in hash)
        problems.push({ field: `users.${i}.password_hash`, problems: [hash.problem] });
      const earlier = seen.get(key);
      if (earlier !== undefined)
        problems.push({
          field: `users.${i}.username`,
          problems: [`is the same username as users.${earlier}`],
        });
      else if (taken.has(key))
        problems.push({ field: `users.${i}.username`, problems: ['is taken by an existing user'] });
      if (earlier === undefined) seen.set(key, i);
    });
    if (problems.length > 0) {
      throw new OAuthError('invalid_request', 'Nothing was imported: some users are invalid.', {
        fields: problems,
      });
    }
    if (dryRun) return users.map((u) => ({ username: u.username, status: 'would_create' }));
    const now = this.clock.now();
    const stored = await this.users.createMany(
      users.map((user) => ({
        id: randomUUID(),
        username: user.username,
        passwordHash: user.passwordHash,
        claims: pickClaims(user.claims),
        createdAt: now,
      })),
    );
    if (!stored)
      throw new OAuthError('conflict', 'A username was taken meanwhile; nothing was imported.');
    return users.map((u) => ({ username: u.username, status: 'created' }));
  }

  /**
   * Deletes the user and, through the cascade, its grants, sessions and so its tokens. False when
   * unknown. Its sessions end first, in the same transaction, as an administrator's ending of
   * them would: the clients that took tokens in them get logout tokens (Back-Channel Logout 1.0
   * §2.7), and each gets its logout event.
   */
  async delete(id: string, source: AuditContext): Promise<boolean> {
    if (!isCanonicalUuid(id)) return false;
    const now = this.clock.now();
    const deleted = await this.db.transaction(async (tx) => {
      await this.users.lockForChange(id, tx);
      const ended = await this.loginSessions.deleteByUser(id, tx);
      await this.endings.record(ended, 'user_deleted', source, now, tx);
      return this.users.delete(id, tx);
    });
    if (!deleted) return false;
    await this.endings.published();
    return true;
  }

  /** One page ordered by username; `username` filters by the canonical form. */
  async list(limit: number, cursor: string | null, username: string | null): Promise<UserPage> {
    const after = cursor === null ? null : decodeCursor(cursor);
    const rows = await this.users.list(limit + 1, after, username);
    const items = rows.slice(0, limit).map(toUserAccount);
    const nextCursor = rows.length > limit ? encodeCursor(items[items.length - 1].username) : null;
    return { items, nextCursor };
  }
}

/** As create and a rename answer a username another user holds (canonical form). */
function usernameTaken(): OAuthError {
  return new OAuthError('conflict', 'A user with this username already exists.');
}

/** Only the known claim names reach the database (undefined dropped, null kept to remove). */
function pickClaims(claims: UserClaimsPatch): Record<string, unknown> {
  return Object.fromEntries(
    USER_CLAIM_NAMES.filter((name) => claims[name] !== undefined).map((name) => [
      name,
      claims[name],
    ]),
  );
}

function encodeCursor(lastUsername: string): string {
  return Buffer.from(JSON.stringify({ after: lastUsername }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  let after: unknown;
  try {
    after = (
      JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown } | null
    )?.after;
  } catch {
    after = undefined;
  }
  if (typeof after !== 'string') {
    throw new OAuthError('invalid_request', 'The cursor is invalid.', {
      fields: [{ field: 'cursor', problems: ['is not a cursor this API returned'] }],
    });
  }
  return after;
}
