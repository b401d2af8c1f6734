import { Injectable } from '@nestjs/common';

import { Database, Statement } from '../database';

/** A fixed-window counter after a hit. */
export interface RateWindow {
  count: number;
  windowStart: Date;
}

/**
 * Fixed-window counters shared by every instance (login failures, OTP sends). Each method is
 * one statement, so concurrent hits on several instances never lose a count.
 */
@Injectable()
export class RateLimitRepository {
  constructor(private readonly db: Database) {}

  /** Counts one event in `bucket`; a window older than `windowSeconds` at `now` starts again at 1. */
  async hit(bucket: string, windowSeconds: number, now: Date): Promise<RateWindow> {
    const rows = await this.db.query<RateWindow>(
      new Statement(
        'rate_limits.hit',
        `INSERT INTO rate_limits AS r (bucket, window_start, count) VALUES ($1, $2, 1)
       ON CONFLICT (bucket) DO UPDATE SET
         count = CASE WHEN r.window_start <= $2::timestamptz - make_interval(secs => $3::double precision) THEN 1 ELSE r.count + 1 END,
         window_start = CASE WHEN r.window_start <= $2::timestamptz - make_interval(secs => $3::double precision) THEN $2 ELSE r.window_start END
       RETURNING count, window_start AS "windowStart"`,
      ),
      [bucket, now, windowSeconds],
    );
    return rows[0];
  }

  /**
   * Counts one event only while the window holds fewer than `limit`; returns the window and
   * whether the event was admitted. One statement: the limit holds under concurrency.
   */
  async hitIfBelow(
    bucket: string,
    limit: number,
    windowSeconds: number,
    now: Date,
  ): Promise<RateWindow & { admitted: boolean }> {
    const rows = await this.db.query<RateWindow>(
      new Statement(
        'rate_limits.hit_if_below',
        `INSERT INTO rate_limits AS r (bucket, window_start, count) VALUES ($1, $2, 1)
       ON CONFLICT (bucket) DO UPDATE SET
         count = CASE WHEN r.window_start <= $2::timestamptz - make_interval(secs => $3::double precision) THEN 1 ELSE r.count + 1 END,
         window_start = CASE WHEN r.window_start <= $2::timestamptz - make_interval(secs => $3::double precision) THEN $2 ELSE r.window_start END
       WHERE r.window_start <= $2::timestamptz - make_interval(secs => $3::double precision) OR r.count < $4
       RETURNING count, window_start AS "windowStart"`,
      ),
      [bucket, now, windowSeconds, limit],
    );
    if (rows[0]) return { ...rows[0], admitted: true };
    const current = await this.peek(bucket, windowSeconds, now);
    return {
      count: current?.count ?? limit,
      windowStart: current?.windowStart ?? now,
      admitted: false,
    };
  }

  /** The current window of `bucket`, or null when it has none or it has passed. */
  async peek(bucket: string, windowSeconds: number, now: Date): Promise<RateWindow | null> {
    const rows = await this.db.query<RateWindow>(
      new Statement(
        'rate_limits.peek',
        `SELECT count, window_start AS "windowStart" FROM rate_limits
       WHERE bucket = $1 AND window_start > $2::timestamptz - make_interval(secs => $3::double precision)`,
      ),
      [bucket, now, windowSeconds],
    );
    return rows[0] ?? null;
  }

  /**
   * The counts of the current windows of `buckets`, in their order (0 for a bucket with no
   * window, or one that has passed): one statement for what a sign-in reads before its check.
   */
  async peekCounts(
    buckets: readonly string[],
    windowSeconds: number,
    now: Date,
  ): Promise<number[]> {
    const rows = await this.db.query<{ bucket: string; count: number }>(
      new Statement(
        'rate_limits.peek_counts',
        `SELECT bucket, count FROM rate_limits
       WHERE bucket = ANY($1::text[]) AND window_start > $2::timestamptz - make_interval(secs => $3::double precision)`,
      ),
      [buckets, now, windowSeconds],
    );
    const counts = new Map(rows.map((r) => [r.bucket, r.count]));
    return buckets.map((bucket) => counts.get(bucket) ?? 0);
  }

  /**
   * Forgets `bucket` unless its current window has reached `limit`, and answers that window's
   * count (0 when none): a sign-in's check after the slow hash and the reset that follows a
   * success, in one statement. The guard is on the row itself, so a failure counted by another
   * transaction while this one waits for the row is seen (PostgreSQL re-checks an updated row's
   * WHERE before deleting it) and a window that reached the limit survives.
   */
  async clearBelow(
    bucket: string,
    limit: number,
    windowSeconds: number,
    now: Date,
  ): Promise<number> {
    const rows = await this.db.query<{ count: number }>(
      new Statement(
        'rate_limits.clear_below',
        `WITH current AS (
         SELECT count FROM rate_limits
         WHERE bucket = $1 AND window_start > $2::timestamptz - make_interval(secs => $3::double precision)
       ), cleared AS (
         DELETE FROM rate_limits
         WHERE bucket = $1
           AND (window_start <= $2::timestamptz - make_interval(secs => $3::double precision) OR count < $4)
       )
       SELECT COALESCE((SELECT count FROM current), 0) AS count`,
      ),
      [bucket, now, windowSeconds, limit],
    );
    return rows[0].count;
  }

  /** Forgets `bucket` (e.g. after a successful login). */
  async clear(bucket: string): Promise<void> {
    await this.db.query('DELETE FROM rate_limits WHERE bucket = $1', [bucket]);
  }
}
