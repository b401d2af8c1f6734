import { Injectable } from '@nestjs/common';

import { Database, Statement, Transaction } from '../database';
import { RequestedClaims } from '../requested-claims';

/** An authorization code as stored: only its SHA-256, and everything it was bound to. */
export interface AuthorizationCodeRecord {
  codeHash: Buffer;
  clientId: string;
  userId: string;
  redirectUri: string;
  /** Whether the authorization request carried redirect_uri (RFC 6749 §4.1.3). */
  redirectUriSent: boolean;
  scope: string;
  nonce: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
  authTime: Date;
  amr: string[];
  /** The claims asked for one by one (OpenID Connect Core §5.5); null when none. */
  requestedClaims: RequestedClaims | null;
  /** The login session the code was issued in. */
  sessionIdHash: Buffer;
  /** That session's public id (`sid`), which the grant inherits; null for codes issued before sids. */
  sid: string | null;
  createdAt: Date;
  expiresAt: Date;
}

/** A code just consumed, with the id its grant will have. */
export type ConsumedAuthorizationCode = Omit<AuthorizationCodeRecord, 'sessionIdHash'> & {
  grantId: string;
};

const RETURNED = `code_hash AS "codeHash", client_id AS "clientId", user_id AS "userId", redirect_uri AS "redirectUri",
  redirect_uri_sent AS "redirectUriSent", scope, nonce, code_challenge AS "codeChallenge",
  code_challenge_method AS "codeChallengeMethod", auth_time AS "authTime", amr, created_at AS "createdAt",
  expires_at AS "expiresAt", grant_id AS "grantId", requested_claims AS "requestedClaims", sid`;

/** Authorization codes (RFC 6749 §4.1.2): single-use, short-lived, stored as hashes. */
@Injectable()
export class AuthorizationCodeRepository {
  constructor(private readonly db: Database) {}

  async create(code: AuthorizationCodeRecord): Promise<void> {
    await this.db.query(
      new Statement(
        'authorization_codes.create',
        `INSERT INTO authorization_codes (code_hash, client_id, user_id, redirect_uri, redirect_uri_sent, scope, nonce,
         code_challenge, code_challenge_method, auth_time, amr, session_id_hash, created_at, expires_at, requested_claims, sid)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
      ),
      [
        code.codeHash,
        code.clientId,
        code.userId,
        code.redirectUri,
        code.redirectUriSent,
        code.scope,
        code.nonce,
        code.codeChallenge,
        code.codeChallengeMethod,
        code.authTime,
        JSON.stringify(code.amr),
        code.sessionIdHash,
        code.createdAt,
        code.expiresAt,
        code.requestedClaims === null ? null : JSON.stringify(code.requestedClaims),
        code.sid,
      ],
    );
  }

  /**
   * Marks the code used and records `grantId` as the grant its tokens will belong to, in one
   * statement; null when it is unknown, another client's, already used, or expired at `now`, or
   * when the browser session it was issued in has ended: a code issued before a logout, or
   * before an administrator ended the user's sessions, mints nothing after it. Two redemptions
   * racing on any instances get one row.
   */
  async consume(
    codeHash: Buffer,
    clientId: string,
    grantId: string,
    now: Date,
  ): Promise<ConsumedAuthorizationCode | null> {
    const rows = await this.db.query<ConsumedAuthorizationCode>(
      new Statement(
        'authorization_codes.consume',
        `UPDATE authorization_codes c SET consumed_at = $4, grant_id = $3
       WHERE code_hash = $1 AND client_id = $2::uuid AND consumed_at IS NULL AND expires_at > $4
         AND (c.sid IS NULL OR EXISTS (
           SELECT 1 FROM login_sessions s WHERE s.sid = c.sid AND s.expires_at > $4))
       RETURNING ${RETURNED}`,
      ),
      [codeHash, clientId, grantId, now],
    );
    return rows[0] ?? null;
  }

  /**
   * Flags a used code of `clientId` as presented again and returns the grant its tokens belong
   * to; null when `codeHash` is no used code of that client.
   */
  async markReplayed(
    codeHash: Buffer,
    clientId: string,
    now: Date,
  ): Promise<{ grantId: string | null } | null> {
    const rows = await this.db.query<{ grantId: string | null }>(
      `UPDATE authorization_codes SET replayed_at = COALESCE(replayed_at, $3)
       WHERE code_hash = $1 AND client_id = $2::uuid AND consumed_at IS NOT NULL
       RETURNING grant_id AS "grantId"`,
      [codeHash, clientId, now],
    );
    return rows[0] ?? null;
  }

  /** Whether the code was presented again after it was consumed. */
  async isReplayed(codeHash: Buffer): Promise<boolean> {
    const rows = await this.db.query<{ replayed: boolean }>(
      `SELECT replayed_at IS NOT NULL AS replayed FROM authorization_codes WHERE code_hash = $1`,
      [codeHash],
    );
    return rows[0]?.replayed ?? false;
  }

  /**
   * After the grant of a redeemed code is stored: whether nothing that would have revoked it
   * happened between the code's consumption and the grant's commit, when it could not see the
   * grant (READ COMMITTED): the client's token generation is still `generation` (no revoke-all)
   * and the session the code was issued in, if any, is still live (no logout, no ending by an
   * administrator or a password change). Both rows are read under a share lock, so a revoke-all
   * or a session ending still running (each changes its row first) is waited for, and one that
   * comes later sees the grant.
   */
  async grantStillStands(
    clientId: string,
    generation: number,
    sid: string | null,
    now: Date,
  ): Promise<boolean> {
    const rows = await this.db.query<{ stands: boolean }>(
      `SELECT (SELECT token_generation FROM clients WHERE client_id = $1::uuid FOR SHARE) = $2
         AND ($3::uuid IS NULL OR EXISTS (
           SELECT 1 FROM login_sessions WHERE sid = $3::uuid AND expires_at > $4 FOR SHARE)) AS stands`,
      [clientId, generation, sid, now],
    );
    return rows[0]?.stands === true;
  }

  /** Deletes the user's codes not yet redeemed: after a password change nothing issued before it may be. */
  async deleteUnredeemedByUser(userId: string, tx: Transaction): Promise<void> {
    await this.db.query(
      'DELETE FROM authorization_codes WHERE user_id = $1 AND consumed_at IS NULL',
      [userId],
      tx,
    );
  }

  /** Deletes the client's codes not yet exchanged, so none mints a token after its tokens were revoked. */
  async deleteUnredeemedByClient(clientId: string, tx: Transaction): Promise<void> {
    await this.db.query(
      'DELETE FROM authorization_codes WHERE client_id = $1 AND consumed_at IS NULL',
      [clientId],
      tx,
    );
  }
}
