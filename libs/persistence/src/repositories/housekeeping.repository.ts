import { Injectable } from '@nestjs/common';

import { Database } from '../database';

/** How many rows one purge removed, per table. */
export type PurgeReport = Record<string, number>;

/**
 * Deletes rows nothing can use any more. Every rule keeps what a live token, a replay check or
 * a running limit still needs.
 */
@Injectable()
export class HousekeepingRepository {
  constructor(private readonly db: Database) {}

  /**
   * Purges at `now`, in one transaction that only one instance runs at a time (the others skip).
   * `accessTokenTtlSeconds`: a grant outlives its last refresh token by this much, because
   * access tokens issued with that refresh token check the grant until they expire.
   * `longestLimitWindowSeconds`: the longest window of any rate limit; a counter older than that
   * limits nothing any more.
   */
  async purgeExpired(
    now: Date,
    accessTokenTtlSeconds: number,
    longestLimitWindowSeconds: number,
    auditRetentionDays: number | null = null,
  ): Promise<PurgeReport | null> {
    return this.db.transaction(async (tx) => {
      const [lock] = await this.db.query<{ locked: boolean }>(
        `SELECT pg_try_advisory_xact_lock(hashtext('uas:housekeeping')) AS locked`,
        [],
        tx,
      );
      if (!lock.locked) return null;
      const cutoff = new Date(now.getTime() - (accessTokenTtlSeconds + 60) * 1000);
      const day = 24 * 3600 * 1000;
      const statements: [string, string, unknown[]][] = [
        ['used_identifiers', 'DELETE FROM used_identifiers WHERE expires_at <= $1', [now]],
        [
          'revoked_access_tokens',
          'DELETE FROM revoked_access_tokens WHERE expires_at <= $1',
          [now],
        ],
        // Kept a day past expiry so a late replay still finds the code and revokes its tokens.
        [
          'authorization_codes',
          'DELETE FROM authorization_codes WHERE expires_at <= $1',
          [new Date(now.getTime() - day)],
        ],
        ['login_sessions', 'DELETE FROM login_sessions WHERE expires_at <= $1', [now]],
        ['otp_challenges', 'DELETE FROM otp_challenges WHERE expires_at <= $1', [now]],
        [
          'rate_limits',
          'DELETE FROM rate_limits WHERE window_start <= $1',
          [new Date(now.getTime() - longestLimitWindowSeconds * 1000)],
        ],
        // Expired (used or not) refresh tokens, once the access tokens minted with them are gone too.
        ['refresh_tokens', 'DELETE FROM refresh_tokens WHERE expires_at <= $1', [cutoff]],
        // A grant whose browser session lives on stays: the session's logout finds the clients
        // to send logout tokens to through its grants (Back-Channel Logout 1.0 §2.5).
        [
          'grants',
          `DELETE FROM grants g WHERE g.created_at <= $1
             AND NOT EXISTS (SELECT 1 FROM refresh_tokens rt WHERE rt.grant_id = g.id)
             AND (g.session_id IS NULL
               OR NOT EXISTS (SELECT 1 FROM login_sessions s WHERE s.sid = g.session_id))`,
          [cutoff],
        ],
      ];
      // CONTRACT §5: audit events are kept AUDIT_RETENTION_DAYS, then purged here and only here.
      if (auditRetentionDays !== null)
        statements.push([
          'audit_events',
          'DELETE FROM audit_events WHERE time < $1',
          [new Date(now.getTime() - auditRetentionDays * day)],
        ]);
      const report: PurgeReport = {};
      for (const [table, sql, params] of statements) {
        const rows = await this.db.query<{ n: number }>(
          `WITH d AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM d`,
          params,
          tx,
        );
        report[table] = rows[0].n;
      }
      return report;
    });
  }
}
