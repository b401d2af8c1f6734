import { Injectable } from '@nestjs/common';

import { AuditContext, AuditLog } from './audit-log';
import { Database, Transaction } from './database';
import { BackchannelLogoutRepository } from './repositories/backchannel-logout.repository';
import { EndedLoginSession } from './repositories/login-session.repository';

/** Why login sessions ended, in their `logout` audit events (README, Operating). */
export type SessionEndReason =
  'logout' | 'another_user_signed_in' | 'admin' | 'password_changed' | 'user_deleted';

/**
 * What every ending of login sessions brings, whatever ended them: a logout token queued for each
 * client that took tokens in them (Back-Channel Logout 1.0 §2.7) and a `logout` audit event for
 * each (CONTRACT §5), written in the ending transaction (`record`) so none of it happens without
 * the rest; then, once it committed, `published`.
 */
@Injectable()
export class SessionEndings {
  constructor(
    private readonly db: Database,
    private readonly backchannel: BackchannelLogoutRepository,
    private readonly audit: AuditLog,
  ) {}

  /**
   * In the ending transaction. Call it before the sessions' grants go (a deleted user's
   * cascade): the queue reads which clients took tokens in them.
   */
  async record(
    sessions: readonly EndedLoginSession[],
    reason: SessionEndReason,
    source: AuditContext,
    now: Date,
    tx: Transaction,
  ): Promise<void> {
    if (sessions.length === 0) return;
    await this.backchannel.enqueueForSessions(
      sessions.map((s) => s.sid),
      now,
      tx,
    );
    for (const session of sessions) {
      await this.audit.record(
        {
          type: 'logout',
          outcome: 'success',
          subject: session.userId,
          actor: source.actor,
          ip: source.ip,
          details: { sid: session.sid, reason },
        },
        tx,
      );
    }
  }

  /**
   * After the commit of a change that ended sessions or revoked grants: every instance's token
   * cache forgets the revoked grants before the caller answers, and the sender posts the queued
   * logout tokens.
   */
  async published(): Promise<void> {
    await this.db.propagateChanges();
    this.backchannel.wake();
  }
}
