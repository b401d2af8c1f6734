import { Injectable } from '@nestjs/common';
import { LessThanOrEqual } from 'typeorm';

import { Database } from '../database';
import { UsedIdentifierEntity } from '../entities';

/**
 * Single-use identifiers across every instance and restart: the jti of client assertions and
 * request objects (one record for both), SAML assertion ID. Kept until they expire, when a
 * replay is refused anyway.
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

  /**
   * Spends the `jti` of a JWT that client `clientId` signed for us, a client assertion or a
   * request object: one record for both, so a JWT spent as one is refused as the other
   * (RFC 8725 §3.12). Otherwise as claim().
   */
  claimClientJwtId(clientId: string, jti: string, expiresAt: Date, now: Date): Promise<boolean> {
    return this.claim(clientJwtNamespace(clientId), jti, expiresAt, now);
  }

  /** Deletes entries that expired before `now`. */
  async purgeExpired(now: Date): Promise<void> {
    await this.db.use(UsedIdentifierEntity, (identifiers) =>
      identifiers.delete({ expiresAt: LessThanOrEqual(now) }),
    );
  }
}

/**
 * Where the jti of every JWT a client signs for us is recorded; see claimClientJwtId(). Migration
 * 1764212000000 moved the earlier `client_assertion:` and `request_object:` records here.
 */
function clientJwtNamespace(clientId: string): string {
  return `client_jwt:${clientId}`;
}
