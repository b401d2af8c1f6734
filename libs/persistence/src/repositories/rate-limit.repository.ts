import { Injectable } from '@nestjs/common';

import { Database } from '../database';

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
      `INSERT INTO rate_limits AS r (bucket, window_start, count) VALUES ($1, $2, 1)
       ON CONFLICT (bucket) DO UPDATE SET
         count = CASE WHEN r.window_start <= $2::timestamptz - make_interval(secs => $3::double precision) THEN 1 ELSE r.count + 1 END,
         window_start = CASE WHEN r.window_start <= $2::timestamptz - make_interval(secs => $3::double precision) THEN $2 ELSE r.window_start END
       RETURNING count, window_start AS "windowStart"`,
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
      `INSERT INTO rate_limits AS r (bucket, window_start, count) VALUES ($1, $2, 1)
       ON CONFLICT (bucket) DO UPDATE SET
         count = CASE WHEN r.window_start <= $2::timestamptz - make_interval(secs => $3::double precision) THEN 1 ELSE r.count + 1 END,
         window_start = CASE WHEN r.window_start <= $2::timestamptz - make_interval(secs => $3::double precision) THEN $2 ELSE r.window_start END
       WHERE r.window_start <= $2::timestamptz - make_interval(secs => $3::double precision) OR r.count < $4
       RETURNING count, window_start AS "windowStart"`,
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
      `SELECT count, window_start AS "windowStart" FROM rate_limits
       WHERE bucket = $1 AND window_start > $2::timestamptz - make_interval(secs => $3::double precision)`,
      [bucket, now, windowSeconds],
    );
    return rows[0] ?? null;
  }

  /** Forgets `bucket` (e.g. after a successful login). */
  async clear(bucket: string): Promise<void> {
    await this.db.query('DELETE FROM rate_limits WHERE bucket = $1', [bucket]);
  }
}
