import { Injectable } from '@nestjs/common';

import { Database, Transaction } from '../database';

/** A logout token to send: to which client, for which session and subject, and the how-manieth try. */
export interface BackchannelLogoutJob {
  id: string;
  clientId: string;
  sid: string;
  subject: string;
  /** Counting the attempt just claimed. */
  attempts: number;
}

/**
 * The queue of logout tokens to deliver (OpenID Connect Back-Channel Logout 1.0 §2.5), kept in
 * PostgreSQL so that neither a restart nor a second instance loses one. Any instance may send
 * any job: claiming one pushes its due time forward (a lease), with SKIP LOCKED so two
 * instances never claim the same job, and a job whose sender died comes due again.
 */
@Injectable()
export class BackchannelLogoutRepository {
  private readonly listeners = new Set<() => void>();

  constructor(private readonly db: Database) {}

  /**
   * Queues one job per client that took tokens in one of the ended sessions `sids` and
   * registered a backchannel_logout_uri, due at `now`; in the caller's transaction (the session
   * ends and its logouts are queued together, or neither). Call `wake()` after the commit.
   */
  async enqueueForSessions(sids: readonly string[], now: Date, tx: Transaction): Promise<number> {
    if (sids.length === 0) return 0;
    const rows = await this.db.query(
      `INSERT INTO backchannel_logouts (id, client_id, sid, subject, attempts, next_attempt_at, created_at)
       SELECT gen_random_uuid(), g.client_id, g.session_id, min(g.subject), 0, $2, $2
       FROM grants g JOIN clients c ON c.client_id = g.client_id
       WHERE g.session_id = ANY($1::uuid[]) AND COALESCE(c.metadata->>'backchannel_logout_uri', '') <> ''
       GROUP BY g.client_id, g.session_id
       RETURNING id`,
      [sids, now],
      tx,
    );
    return rows.length;
  }

  /** Claims up to `limit` jobs due at `now`, leasing each until `leaseUntil`. */
  async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<BackchannelLogoutJob[]> {
    return this.db.query<BackchannelLogoutJob>(
      `UPDATE backchannel_logouts b SET attempts = b.attempts + 1, next_attempt_at = $2
       WHERE b.id IN (
         SELECT id FROM backchannel_logouts WHERE next_attempt_at <= $1
         ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING b.id, b.client_id AS "clientId", b.sid, b.subject, b.attempts`,
      [now, leaseUntil, limit],
    );
  }

  /** Delivered, or given up: the job is gone. */
  async remove(id: string): Promise<void> {
    await this.db.query(`DELETE FROM backchannel_logouts WHERE id = $1`, [id]);
  }

  /** A failed attempt: try again at `at`. */
  async retryAt(id: string, at: Date, error: string): Promise<void> {
    await this.db.query(
      `UPDATE backchannel_logouts SET next_attempt_at = $2, last_error = $3 WHERE id = $1`,
      [id, at, error.slice(0, 500)],
    );
  }

  /** How many jobs wait (the metrics' queue depth). */
  async pending(): Promise<number> {
    const rows = await this.db.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM backchannel_logouts`,
    );
    return rows[0]?.count ?? 0;
  }

  /** Tells this instance's sender that jobs were just committed, so it need not wait for its next poll. */
  wake(): void {
    for (const listener of this.listeners) listener();
  }

  /** Registers the sender; returns the unsubscribe function. */
  onWake(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
