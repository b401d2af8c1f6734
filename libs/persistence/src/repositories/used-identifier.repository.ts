import { Injectable } from '@nestjs/common';

import { Database } from '../database';

/**
 * Single-use identifiers across every instance and restart: client-assertion jti, request
 * object jti, SAML assertion ID. Kept until they expire, when a replay is refused anyway.
 */
@Injectable()
export class UsedIdentifierRepository {
  constructor(private readonly db: Database) {}

  /**
   * Records `value` in `namespace` until `expiresAt`. True the first time, false on every
   * later call (one statement: two instances racing get one true). An entry whose expiry
   * has passed may be claimed again.
   */
  async claim(namespace: string, value: string, expiresAt: Date, now: Date): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO used_identifiers AS u (namespace, value, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (namespace, value) DO UPDATE SET expires_at = EXCLUDED.expires_at
       WHERE u.expires_at <= $4
       RETURNING 1`,
      [namespace, value, expiresAt, now],
    );
    return rows.length === 1;
  }

  /** Deletes entries that expired before `now`. */
  async purgeExpired(now: Date): Promise<void> {
    await this.db.query('DELETE FROM used_identifiers WHERE expires_at <= $1', [now]);
  }
}
