import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';

import { Database, Statement, Transaction } from '../database';
import { GrantEntity } from '../entities';
import { isCanonicalUuid } from '../identifiers';
import { RequestedClaims } from '../requested-claims';

/** One authorization of a client by a subject; its refresh and access tokens live and die with it. */
export interface GrantRecord {
  id: string;
  clientId: string;
  userId: string | null;
  subject: string;
  scope: string;
  authTime: Date;
  amr: string[];
  claims: Record<string, unknown>;
  /** The claims the authorization request asked for one by one (OpenID Connect Core §5.5); null when none. */
  requestedClaims: RequestedClaims | null;
  /**
   * The login session (`sid`) the grant came from, absent or null when none did (grants made
   * without a browser). Without offline_access the grant ends with that session.
   */
  sessionId?: string | null;
}

/** What an access token's liveness depends on, read in one round trip. */
export interface AccessTokenState {
  clientExists: boolean;
  /** The client's token generation (0 when there is no such client). */
  clientTokenGeneration: number;
  grantActive: boolean;
  revoked: boolean;
}

/** A grants row (or a row with its column names) as a GrantRecord. */
export const GRANT_COLUMNS = `id, client_id AS "clientId", user_id AS "userId", subject, scope, auth_time AS "authTime", amr, claims, requested_claims AS "requestedClaims", session_id AS "sessionId"`;

/** The scope whose grants outlive their browser session (OpenID Connect Core §11). */
const OFFLINE_ACCESS = 'offline_access';

/** The columns of a new grant's row, in the order of `grantRowValues` ($1–$11 of an INSERT). */
export const GRANT_INSERT_COLUMNS =
  'id, client_id, user_id, subject, scope, auth_time, amr, claims, created_at, requested_claims, session_id';

/** A new grant's row as statement parameters, in the order of GRANT_INSERT_COLUMNS. */
export function grantRowValues(grant: GrantRecord, createdAt: Date): unknown[] {
  return [
    grant.id,
    grant.clientId,
    grant.userId,
    grant.subject,
    grant.scope,
    grant.authTime,
    JSON.stringify(grant.amr),
    JSON.stringify(grant.claims),
    createdAt,
    grant.requestedClaims === null ? null : JSON.stringify(grant.requestedClaims),
    grant.sessionId ?? null,
  ];
}

/**
 * SQL true when grant `g` may still be refreshed at `$now`: it came from no browser session, or
 * has offline_access, or its session is alive (a refresh token without offline_access ends with
 * its session, CONTRACT "Scopes and claims").
 */
export function sessionAliveSql(now: string): string {
  return `(g.session_id IS NULL OR '${OFFLINE_ACCESS}' = ANY (string_to_array(g.scope, ' '))
    OR EXISTS (SELECT 1 FROM login_sessions s WHERE s.sid = g.session_id AND s.expires_at > ${now}))`;
}

@Injectable()
export class GrantRepository {
  constructor(private readonly db: Database) {}

  /** Token issuance: one plain statement. */
  async create(grant: GrantRecord, createdAt: Date, tx?: Transaction): Promise<void> {
    await this.db.query(
      new Statement(
        'grants.create',
        `INSERT INTO grants (${GRANT_INSERT_COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      ),
      grantRowValues(grant, createdAt),
      tx,
    );
  }

  /**
   * The grant, or null when it is unknown or revoked (deleted clients and users cascade).
   * Userinfo reads it on every call: one plain statement.
   */
  async findActive(id: string): Promise<GrantRecord | null> {
    if (!isCanonicalUuid(id)) return null;
    const rows = await this.db.query<GrantRecord>(
      new Statement(
        'grants.find_active',
        `SELECT ${GRANT_COLUMNS} FROM grants WHERE id = $1 AND revoked_at IS NULL`,
      ),
      [id],
    );
    return rows[0] ?? null;
  }

  /** Revokes the grant: every refresh token and access token of it stops working. */
  async revoke(id: string, now: Date, tx?: Transaction): Promise<void> {
    await this.db.use(
      GrantEntity,
      (grants) => grants.update({ id, revokedAt: IsNull() }, { revokedAt: now }),
      tx,
    );
    // Outside a transaction the change is committed: every instance's token cache drops it first.
    if (!tx) await this.db.propagateChanges();
  }

  /**
   * Revokes every grant of the user: all refresh and access tokens issued to them so far stop
   * working (a password change, RFC 9700 §4.14.2). The caller propagates the change after commit.
   */
  async revokeByUser(userId: string, now: Date, tx: Transaction): Promise<void> {
    await this.db.use(
      GrantEntity,
      (grants) => grants.update({ userId, revokedAt: IsNull() }, { revokedAt: now }),
      tx,
    );
  }

  /**
   * Revokes the grants made in the ended sessions `sids`, except those granted offline_access,
   * which outlive their session (OpenID Connect Core §11; Back-Channel Logout 1.0 §2.7). In the
   * caller's transaction; the caller propagates the change after commit.
   */
  async revokeForEndedSessions(sids: readonly string[], now: Date, tx: Transaction): Promise<void> {
    if (sids.length === 0) return;
    await this.db.query(
      `UPDATE grants SET revoked_at = $2
       WHERE session_id = ANY($1::uuid[]) AND revoked_at IS NULL
         AND NOT ('${OFFLINE_ACCESS}' = ANY (string_to_array(scope, ' ')))`,
      [sids, now],
      tx,
    );
  }

  /**
   * Revokes every grant of the client: all refresh and access tokens issued from them stop
   * working (CONTRACT §4 revoke-tokens). The caller propagates the change after commit.
   */
  async revokeByClient(clientId: string, now: Date, tx: Transaction): Promise<void> {
    await this.db.use(
      GrantEntity,
      (grants) => grants.update({ clientId, revokedAt: IsNull() }, { revokedAt: now }),
      tx,
    );
  }

  /**
   * Whether an access token is still alive: its client exists (and which token generation it is
   * in), its grant (if any) exists and is not revoked, and its jti was not revoked. One statement.
   */
  async accessTokenState(
    clientId: string,
    grantId: string | null,
    jti: string,
  ): Promise<AccessTokenState> {
    const rows = await this.db.query<AccessTokenState>(
      new Statement(
        'grants.access_token_state',
        `SELECT
         EXISTS (SELECT 1 FROM clients WHERE client_id = $1::uuid) AS "clientExists",
         COALESCE((SELECT token_generation FROM clients WHERE client_id = $1::uuid), 0) AS "clientTokenGeneration",
         ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM grants WHERE id = $2::uuid AND revoked_at IS NULL)) AS "grantActive",
         EXISTS (SELECT 1 FROM revoked_access_tokens WHERE jti = $3) AS revoked`,
      ),
      [clientId, grantId, jti],
    );
    return rows[0];
  }

  /** Revokes one access token until it would have expired (RFC 7009). */
  async revokeAccessToken(jti: string, expiresAt: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO revoked_access_tokens (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING`,
      [jti, expiresAt],
    );
    await this.db.propagateChanges();
  }
}
