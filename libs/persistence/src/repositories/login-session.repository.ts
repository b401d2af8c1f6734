import { Injectable } from '@nestjs/common';

import { Database, Transaction } from '../database';
import { LoginSessionEntity } from '../entities';

/** A browser's sign-in, found by the SHA-256 of its cookie value. */
export interface LoginSessionRecord {
  idHash: Buffer;
  userId: string;
  authTime: Date;
  amr: string[];
  createdAt: Date;
  expiresAt: Date;
}

const COLUMNS = `id_hash AS "idHash", user_id AS "userId", auth_time AS "authTime", amr, created_at AS "createdAt", expires_at AS "expiresAt"`;

/**
 * Login sessions of the authorization endpoint; the cookie value itself is never stored. What
 * every sign-in and authorization request runs (create, findActive) is one SQL statement each.
 */
@Injectable()
export class LoginSessionRepository {
  constructor(private readonly db: Database) {}

  async create(session: LoginSessionRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO login_sessions (id_hash, user_id, auth_time, amr, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        session.idHash,
        session.userId,
        session.authTime,
        JSON.stringify(session.amr),
        session.createdAt,
        session.expiresAt,
      ],
    );
  }

  /** The session, or null when it is unknown or has expired at `now` (a deleted user's sessions cascade). */
  async findActive(idHash: Buffer, now: Date): Promise<LoginSessionRecord | null> {
    const rows = await this.db.query<LoginSessionRecord>(
      `SELECT ${COLUMNS} FROM login_sessions WHERE id_hash = $1 AND expires_at > $2`,
      [idHash, now],
    );
    return rows[0] ?? null;
  }

  /** Ends the session (the authorization codes issued in it stay redeemable until they expire). */
  async delete(idHash: Buffer): Promise<void> {
    await this.db.use(LoginSessionEntity, (sessions) => sessions.delete({ idHash }));
  }

  /** Ends every session of the user, in the caller's transaction (a password change signs them out). */
  async deleteByUser(userId: string, tx: Transaction): Promise<void> {
    await this.db.use(LoginSessionEntity, (sessions) => sessions.delete({ userId }), tx);
  }
}
