import { Injectable } from '@nestjs/common';

import { Clock } from '@app/config';
import { hashToken, randomToken } from '@app/crypto';
import { LoginSessionRepository } from '@app/persistence';

/** A browser's sign-in. */
export interface LoginSession {
  /** SHA-256 of the cookie value: what codes are bound to. */
  readonly idHash: Buffer;
  readonly userId: string;
  readonly authTime: Date;
  readonly amr: readonly string[];
}

/** ubisecure-notes §17 question 19: the product's SSO session lasts 60 minutes. */
export const LOGIN_SESSION_TTL_SECONDS = 60 * 60;
/** 256 random bits, base64url. */
const SESSION_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Browser sessions of the authorization endpoint, kept in PostgreSQL so every instance sees
 * them. The cookie carries 256 random bits; only their SHA-256 is stored.
 */
@Injectable()
export class LoginSessionService {
  constructor(
    private readonly sessions: LoginSessionRepository,
    private readonly clock: Clock,
  ) {}

  /** A new session for a user who just signed in; `token` goes in the cookie. */
  async start(
    userId: string,
    amr: readonly string[],
  ): Promise<{ token: string; session: LoginSession }> {
    const token = randomToken(32);
    const now = this.clock.now();
    const session = { idHash: hashToken(token), userId, authTime: now, amr: [...amr] };
    await this.sessions.create({
      ...session,
      createdAt: now,
      expiresAt: new Date(now.getTime() + LOGIN_SESSION_TTL_SECONDS * 1000),
    });
    return { token, session };
  }

  /** The live session a cookie value names, or null. */
  async find(token: string | null): Promise<LoginSession | null> {
    if (token === null || !SESSION_TOKEN.test(token)) return null;
    const record = await this.sessions.findActive(hashToken(token), this.clock.now());
    return (
      record && {
        idHash: record.idHash,
        userId: record.userId,
        authTime: record.authTime,
        amr: record.amr,
      }
    );
  }

  /** Ends the session a cookie value names, if any. */
  async end(token: string | null): Promise<void> {
    if (token === null || !SESSION_TOKEN.test(token)) return;
    await this.sessions.delete(hashToken(token));
  }
}
