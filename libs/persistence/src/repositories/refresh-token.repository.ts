import { Injectable } from '@nestjs/common';

import { Database, Statement, Transaction } from '../database';
import {
  GRANT_INSERT_COLUMNS,
  GrantRecord,
  grantRowValues,
  sessionAliveSql,
} from './grant.repository';
import { ConsumedRefreshToken, RefreshTokenRotations } from './refresh-token-rotations';

export type { ConsumedRefreshToken } from './refresh-token-rotations';

/** A refresh token as introspection reports it. */
export interface RefreshTokenRecord {
  grantId: string;
  clientId: string;
  scope: string;
  subject: string;
  createdAt: Date;
  expiresAt: Date;
}

/** A new grant and its first refresh token (`createWithGrant`). */
const CREATE_WITH_GRANT = new Statement(
  'refresh_tokens.create_with_grant',
  `WITH g AS (
     INSERT INTO grants (${GRANT_INSERT_COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     RETURNING id, client_id
   )
   INSERT INTO refresh_tokens (token_hash, grant_id, client_id, scope, created_at, expires_at)
   SELECT $12, id, client_id, $13, $9, $14 FROM g`,
);

/**
 * Refresh tokens, stored only as SHA-256 hashes. Everything here runs on the token, introspection
 * or revocation endpoint: one SQL statement each, no query building per request.
 */
@Injectable()
export class RefreshTokenRepository {
  private readonly rotations: RefreshTokenRotations;

  constructor(private readonly db: Database) {
    this.rotations = new RefreshTokenRotations(db);
  }

  async create(
    token: {
      tokenHash: Buffer;
      grantId: string;
      clientId: string;
      scope: string;
      expiresAt: Date;
      createdAt: Date;
    },
    tx?: Transaction,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO refresh_tokens (token_hash, grant_id, client_id, scope, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        token.tokenHash,
        token.grantId,
        token.clientId,
        token.scope,
        token.createdAt,
        token.expiresAt,
      ],
      tx,
    );
  }

  /**
   * Marks the token used and returns its grant, in one statement; null when it is unknown,
   * already used, expired, another client's, its grant is revoked, or its grant ended with its
   * browser session.
   */
  async consume(
    tokenHash: Buffer,
    clientId: string,
    now: Date,
    tx?: Transaction,
  ): Promise<ConsumedRefreshToken | null> {
    const rows = await this.db.query<GrantRecord & { tokenScope: string }>(
      `UPDATE refresh_tokens rt SET consumed_at = $3
       FROM grants g
       WHERE rt.token_hash = $1 AND rt.client_id = $2::uuid AND rt.consumed_at IS NULL AND rt.expires_at > $3
         AND g.id = rt.grant_id AND g.revoked_at IS NULL AND ${sessionAliveSql('$3')}
       RETURNING g.id, g.client_id AS "clientId", g.user_id AS "userId", g.subject, g.scope, g.auth_time AS "authTime",
         g.amr, g.claims, g.requested_claims AS "requestedClaims", g.session_id AS "sessionId", rt.scope AS "tokenScope"`,
      [tokenHash, clientId, now],
      tx,
    );
    if (!rows[0]) return null;
    const { tokenScope, ...grant } = rows[0];
    return { grant, scope: tokenScope };
  }

  /**
   * Rotation (RFC 9700 §4.14.2), atomic: consumes the presented token exactly as `consume` does
   * and stores its successor, with the same grant, client and scope, under `next.tokenHash`. Null,
   * and nothing stored, when the presented token cannot be consumed. Rotations arriving together
   * share one statement (RefreshTokenRotations).
   */
  rotate(
    tokenHash: Buffer,
    clientId: string,
    now: Date,
    next: { tokenHash: Buffer; expiresAt: Date },
  ): Promise<ConsumedRefreshToken | null> {
    return this.rotations.rotate({ tokenHash, clientId, now, next });
  }

  /**
   * Undoes a rotation whose answer was never sent (the token response failed after it): deletes
   * the successor, which the client never received, and makes the presented token live again, in
   * one statement, so the client's retry with the token it holds is a refresh and not a replay
   * that revokes the grant (CONTRACT "Refresh tokens"). Nothing happens unless the successor is
   * still unused and the presented token is still the one it replaced.
   */
  async undoRotation(presented: Buffer, successor: Buffer, clientId: string): Promise<void> {
    await this.db.query(
      `WITH successor AS (
         DELETE FROM refresh_tokens
         WHERE token_hash = $2 AND client_id = $3::uuid AND consumed_at IS NULL
         RETURNING grant_id
       )
       UPDATE refresh_tokens rt SET consumed_at = NULL
       FROM successor s
       WHERE rt.token_hash = $1 AND rt.client_id = $3::uuid AND rt.grant_id = s.grant_id
         AND rt.consumed_at IS NOT NULL`,
      [presented, successor, clientId],
    );
  }

  /**
   * A new grant and its first refresh token, in one statement (one round trip, atomic).
   */
  async createWithGrant(
    grant: GrantRecord,
    token: { tokenHash: Buffer; scope: string; expiresAt: Date; createdAt: Date },
  ): Promise<void> {
    await this.db.query(CREATE_WITH_GRANT, [
      ...grantRowValues(grant, token.createdAt),
      token.tokenHash,
      token.scope,
      token.expiresAt,
    ]);
  }

  /**
   * RFC 9700 §4.14.2: a refresh token presented after it was rotated signals theft; revoke the
   * whole grant. Returns true when `tokenHash` was such a used token of `clientId`.
   */
  async revokeGrantOfUsedToken(tokenHash: Buffer, clientId: string, now: Date): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE grants SET revoked_at = $3
       WHERE id = (SELECT grant_id FROM refresh_tokens WHERE token_hash = $1 AND client_id = $2::uuid AND consumed_at IS NOT NULL)
         AND revoked_at IS NULL
       RETURNING id`,
      [tokenHash, clientId, now],
    );
    if (rows.length > 0) await this.db.propagateChanges();
    return rows.length > 0;
  }

  /** A live (unused, unexpired, grant not revoked) refresh token, or null. */
  async findActive(tokenHash: Buffer, now: Date): Promise<RefreshTokenRecord | null> {
    const rows = await this.db.query<RefreshTokenRecord>(
      new Statement(
        'refresh_tokens.find_active',
        `SELECT rt.grant_id AS "grantId", rt.client_id AS "clientId", rt.scope, g.subject, rt.created_at AS "createdAt",
              rt.expires_at AS "expiresAt"
       FROM refresh_tokens rt JOIN grants g ON g.id = rt.grant_id
       WHERE rt.token_hash = $1 AND rt.consumed_at IS NULL AND rt.expires_at > $2 AND g.revoked_at IS NULL
         AND ${sessionAliveSql('$2')}`,
      ),
      [tokenHash, now],
    );
    return rows[0] ?? null;
  }

  /** The grant of a refresh token of `clientId` (used or not), for revocation. */
  async findGrantId(tokenHash: Buffer, clientId: string): Promise<string | null> {
    const rows = await this.db.query<{ grantId: string }>(
      `SELECT grant_id AS "grantId" FROM refresh_tokens WHERE token_hash = $1 AND client_id = $2::uuid`,
      [tokenHash, clientId],
    );
    return rows[0]?.grantId ?? null;
  }
}
