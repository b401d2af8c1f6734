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

  /**
   * Claims up to `limit` jobs due at `now`, leasing each until `leaseUntil`, and counts every
   * job waiting (claimed or not), in one statement: the poll that runs anyway keeps the queue
   * gauge current, so a metrics scrape never waits on the database.
   */
  async claimDue(
    now: Date,
    leaseUntil: Date,
    limit: number,
  ): Promise<{ jobs: BackchannelLogoutJob[]; pending: number }> {
    const rows = await this.db.query<BackchannelLogoutJob & { id: string | null; pending: number }>(
      `WITH claimed AS (
         UPDATE backchannel_logouts b SET attempts = b.attempts + 1, next_attempt_at = $2
         WHERE b.id IN (
           SELECT id FROM backchannel_logouts WHERE next_attempt_at <= $1
           ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING b.id, b.client_id, b.sid, b.subject, b.attempts
       )
       SELECT c.id, c.client_id AS "clientId", c.sid, c.subject, c.attempts,
         (SELECT count(*)::int FROM backchannel_logouts) AS pending
       FROM (SELECT 1) AS one LEFT JOIN claimed c ON true`,
      [now, leaseUntil, limit],
    );
    const pending = rows[0]?.pending ?? 0;
    const jobs = rows
      .filter((row) => row.id !== null)
      .map(({ id, clientId, sid, subject, attempts }) => ({
        id: id,
        clientId,
        sid,
        subject,
        attempts,
      }));
    return { jobs, pending };
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
