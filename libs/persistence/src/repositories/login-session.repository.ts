import { Injectable } from '@nestjs/common';
import { MoreThan } from 'typeorm';

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

/** Login sessions of the authorization endpoint; the cookie value itself is never stored. */
@Injectable()
export class LoginSessionRepository {
  constructor(private readonly db: Database) {}

  async create(session: LoginSessionRecord): Promise<void> {
    await this.db.use(LoginSessionEntity, (sessions) => sessions.insert(session));
  }

  /** The session, or null when it is unknown or has expired at `now` (a deleted user's sessions cascade). */
  findActive(idHash: Buffer, now: Date): Promise<LoginSessionRecord | null> {
    return this.db.use(LoginSessionEntity, (sessions) => sessions.findOneBy({ idHash, expiresAt: MoreThan(now) }));
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
