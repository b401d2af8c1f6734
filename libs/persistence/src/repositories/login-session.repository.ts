import { Injectable } from '@nestjs/common';

import { Database, Transaction } from '../database';

/** A browser's sign-in, found by the SHA-256 of its cookie value. */
export interface LoginSessionRecord {
  idHash: Buffer;
  /** The public session id (Back-Channel Logout §2.1 `sid`). */
  sid: string;
  userId: string;
  authTime: Date;
  amr: string[];
  createdAt: Date;
  expiresAt: Date;
}

/** A session just ended: what its logout concerns. */
export interface EndedLoginSession {
  sid: string;
  userId: string;
}

/** A live session as the admin API lists it, with the clients that took tokens in it. */
export interface LoginSessionSummary {
  sid: string;
  createdAt: Date;
  authTime: Date;
  expiresAt: Date;
  clients: string[];
}

const COLUMNS = `id_hash AS "idHash", sid, user_id AS "userId", auth_time AS "authTime", amr, created_at AS "createdAt", expires_at AS "expiresAt"`;

/**
 * Login sessions of the authorization endpoint; the cookie value itself is never stored. What
 * every sign-in and authorization request runs (create, findActive) is one SQL statement each.
 */
@Injectable()
export class LoginSessionRepository {
  constructor(private readonly db: Database) {}

  async create(session: LoginSessionRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO login_sessions (id_hash, sid, user_id, auth_time, amr, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        session.idHash,
        session.sid,
        session.userId,
        session.authTime,
        JSON.stringify(session.amr),
        session.createdAt,
        session.expiresAt,
      ],
    );
  }

  /**
   * The same user signed in again in this browser: the session gets a new cookie value (so no
   * value set before the sign-in can be ridden: session fixation) and a new auth_time, and keeps
   * its sid, so the grants made in it stay tied to it. Null when `oldIdHash` is no live session
   * of `userId` at `now`.
   */
  async renew(
    oldIdHash: Buffer,
    userId: string,
    next: { idHash: Buffer; authTime: Date; amr: string[]; expiresAt: Date },
    now: Date,
  ): Promise<LoginSessionRecord | null> {
    const rows = await this.db.query<LoginSessionRecord>(
      `UPDATE login_sessions SET id_hash = $3, auth_time = $4, amr = $5, expires_at = $6
       WHERE id_hash = $1 AND user_id = $2 AND expires_at > $7
       RETURNING ${COLUMNS}`,
      [
        oldIdHash,
        userId,
        next.idHash,
        next.authTime,
        JSON.stringify(next.amr),
        next.expiresAt,
        now,
      ],
    );
    return rows[0] ?? null;
  }

  /** The session, or null when it is unknown or has expired at `now` (a deleted user's sessions cascade). */
  async findActive(idHash: Buffer, now: Date): Promise<LoginSessionRecord | null> {
    const rows = await this.db.query<LoginSessionRecord>(
      `SELECT ${COLUMNS} FROM login_sessions WHERE id_hash = $1 AND expires_at > $2`,
      [idHash, now],
    );
    return rows[0] ?? null;
  }

  /** The user's live sessions, newest first, each with the clients that took tokens in it. */
  async listActiveByUser(userId: string, now: Date): Promise<LoginSessionSummary[]> {
    return this.db.query<LoginSessionSummary>(
      `SELECT s.sid, s.created_at AS "createdAt", s.auth_time AS "authTime", s.expires_at AS "expiresAt",
         COALESCE((SELECT array_agg(DISTINCT g.client_id::text) FROM grants g WHERE g.session_id = s.sid), '{}') AS clients
       FROM login_sessions s WHERE s.user_id = $1 AND s.expires_at > $2
       ORDER BY s.created_at DESC, s.sid`,
      [userId, now],
    );
  }

  /** Ends the session a cookie names, in the caller's transaction; what ended, or null. */
  async delete(idHash: Buffer, tx: Transaction): Promise<EndedLoginSession | null> {
    const rows = await this.db.query<EndedLoginSession>(
      `DELETE FROM login_sessions WHERE id_hash = $1 RETURNING sid, user_id AS "userId"`,
      [idHash],
      tx,
    );
    return rows[0] ?? null;
  }

  /** Ends the session of a public session id (an ID token's `sid`), in the caller's transaction. */
  async deleteBySid(sid: string, tx: Transaction): Promise<EndedLoginSession | null> {
    const rows = await this.db.query<EndedLoginSession>(
      `DELETE FROM login_sessions WHERE sid = $1 RETURNING sid, user_id AS "userId"`,
      [sid],
      tx,
    );
    return rows[0] ?? null;
  }

  /** Ends every session of the user, in the caller's transaction (a password change, an admin's logout). */
  async deleteByUser(userId: string, tx: Transaction): Promise<EndedLoginSession[]> {
    return this.db.query<EndedLoginSession>(
      `DELETE FROM login_sessions WHERE user_id = $1 RETURNING sid, user_id AS "userId"`,
      [userId],
      tx,
    );
  }
}
