import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import { Clock } from '@app/config';
import { hashToken, randomToken } from '@app/crypto';
import {
  AuditContext,
  Database,
  EndedLoginSession,
  GrantRepository,
  isCanonicalUuid,
  LoginSessionRepository,
  LoginSessionSummary,
  SessionEndings,
  SessionEndReason,
  Transaction,
} from '@app/persistence';

/** A browser's sign-in. */
export interface LoginSession {
  /** SHA-256 of the cookie value: what codes are bound to. */
  readonly idHash: Buffer;
  /** The public session id, `sid` in ID tokens and logout tokens (Back-Channel Logout 1.0 §2.1). */
  readonly sid: string;
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
 *
 * Ending a session is one transaction: the session goes, the grants made in it without
 * offline_access are revoked (so are their refresh and access tokens), and a logout token is
 * queued for every client that took tokens in it and registered a backchannel_logout_uri
 * (Back-Channel Logout 1.0 §2.7). The delivery happens later, off the user's request. Whatever
 * ends sessions says who and from where (`source`), for the logout events.
 */
@Injectable()
export class LoginSessionService {
  constructor(
    private readonly db: Database,
    private readonly sessions: LoginSessionRepository,
    private readonly grants: GrantRepository,
    private readonly clock: Clock,
    private readonly endings: SessionEndings,
  ) {}

  /**
   * A session for a user who just signed in; `token` goes in the cookie. The cookie value is
   * always new (session fixation). When the browser's `previousToken` names a live session of
   * the same user, that session continues under the new value with the same sid; a session of
   * another user ends first, with everything ending it brings.
   */
  async start(
    userId: string,
    amr: readonly string[],
    previousToken: string | null,
    source: AuditContext,
  ): Promise<{ token: string; session: LoginSession }> {
    const token = randomToken(32);
    const now = this.clock.now();
    const next = {
      idHash: hashToken(token),
      authTime: now,
      amr: [...amr],
      expiresAt: new Date(now.getTime() + LOGIN_SESSION_TTL_SECONDS * 1000),
    };
    const previous = validToken(previousToken) ? hashToken(previousToken) : null;
    if (previous) {
      const renewed = await this.sessions.renew(previous, userId, next, now);
      if (renewed) return { token, session: toSession(renewed) };
      await this.endByIdHash(previous, 'another_user_signed_in', source);
    }
    const created = { ...next, sid: randomUUID(), userId, createdAt: now };
    await this.sessions.create(created);
    return { token, session: toSession(created) };
  }

  /** The live session a cookie value names, or null. */
  async find(token: string | null): Promise<LoginSession | null> {
    if (!validToken(token)) return null;
    const record = await this.sessions.findActive(hashToken(token), this.clock.now());
    return record && toSession(record);
  }

  /** Ends the session a cookie value names, if any (RP-Initiated Logout 1.0 §2). */
  async end(token: string | null, source: AuditContext): Promise<EndedLoginSession | null> {
    return validToken(token) ? this.endByIdHash(hashToken(token), 'logout', source) : null;
  }

  /**
   * Ends the session an ID token's `sid` names, when the browser sent no cookie for it (a
   * cross-site POST to the logout endpoint carries no SameSite=Lax cookie).
   */
  async endBySid(sid: string, source: AuditContext): Promise<EndedLoginSession | null> {
    if (!isCanonicalUuid(sid)) return null;
    return this.endOne((tx) => this.sessions.deleteBySid(sid, tx), 'logout', source);
  }

  /** A user's live sessions, for the admin API. */
  listForUser(userId: string): Promise<LoginSessionSummary[]> {
    return this.sessions.listActiveByUser(userId, this.clock.now());
  }

  /**
   * An administrator ends every session of the user: each ends as a logout would, and every
   * grant of the user is revoked too, offline_access or not (CONTRACT §4). Returns how many
   * sessions ended. `source` names the administrator's credential.
   */
  async endAllForUser(userId: string, source: AuditContext): Promise<number> {
    const now = this.clock.now();
    const ended = await this.db.transaction(async (tx) => {
      const sessions = await this.sessions.deleteByUser(userId, tx);
      await this.afterEnd(sessions, now, 'admin', source, tx);
      await this.grants.revokeByUser(userId, now, tx);
      return sessions;
    });
    await this.endings.published();
    return ended.length;
  }

  private endByIdHash(
    idHash: Buffer,
    reason: SessionEndReason,
    source: AuditContext,
  ): Promise<EndedLoginSession | null> {
    return this.endOne((tx) => this.sessions.delete(idHash, tx), reason, source);
  }

  /** Ends the one session `remove` deletes, if any, with all that ending a session does. */
  private async endOne(
    remove: (tx: Transaction) => Promise<EndedLoginSession | null>,
    reason: SessionEndReason,
    source: AuditContext,
  ): Promise<EndedLoginSession | null> {
    const now = this.clock.now();
    const ended = await this.db.transaction(async (tx) => {
      const session = await remove(tx);
      if (session) await this.afterEnd([session], now, reason, source, tx);
      return session;
    });
    if (ended) await this.endings.published();
    return ended;
  }

  /**
   * In the ending transaction: revoke the sessions' own grants, queue their logout tokens, and
   * record each logout (CONTRACT §5), so none of it happens without the rest.
   */
  private async afterEnd(
    sessions: readonly EndedLoginSession[],
    now: Date,
    reason: SessionEndReason,
    source: AuditContext,
    tx: Transaction,
  ): Promise<void> {
    await this.grants.revokeForEndedSessions(
      sessions.map((s) => s.sid),
      now,
      tx,
    );
    await this.endings.record(sessions, reason, source, now, tx);
  }
}

function validToken(token: string | null): token is string {
  return token !== null && SESSION_TOKEN.test(token);
}

function toSession(record: {
  idHash: Buffer;
  sid: string;
  userId: string;
  authTime: Date;
  amr: string[];
}): LoginSession {
  return {
    idHash: record.idHash,
    sid: record.sid,
    userId: record.userId,
    authTime: record.authTime,
    amr: record.amr,
  };
}
