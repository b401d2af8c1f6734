import { Injectable } from '@nestjs/common';

import { Database, Transaction } from '../database';
import { isCanonicalUuid } from '../identifiers';

/** A second factor as stored; `secret` is the MASTER_KEY envelope of a TOTP secret. */
export interface UserFactorRecord {
  id: string;
  userId: string;
  type: string;
  secret: string | null;
  /** Passkeys: base64url credential id, COSE public key, signature counter. */
  credentialId: string | null;
  publicKey: Buffer | null;
  signCount: number | null;
  createdAt: Date;
  lastUsedAt: Date | null;
}

const COLUMNS = `id, user_id AS "userId", type, secret, credential_id AS "credentialId", public_key AS "publicKey", sign_count::float8 AS "signCount", created_at AS "createdAt", last_used_at AS "lastUsedAt"`;

/** Users' second factors and recovery codes; every single-use rule is one statement. */
@Injectable()
export class UserFactorRepository {
  constructor(private readonly db: Database) {}

  /** A passkey; false when its credential id is registered already (to anyone). */
  async createPasskey(factor: {
    id: string;
    userId: string;
    credentialId: string;
    publicKey: Buffer;
    signCount: number;
    createdAt: Date;
  }): Promise<boolean> {
    const rows = await this.db.query<{ id: string }>(
      `INSERT INTO user_factors (id, user_id, type, credential_id, public_key, sign_count, created_at)
       VALUES ($1, $2, 'passkey', $3, $4, $5, $6)
       ON CONFLICT (credential_id) WHERE credential_id IS NOT NULL DO NOTHING RETURNING id`,
      [
        factor.id,
        factor.userId,
        factor.credentialId,
        factor.publicKey,
        factor.signCount,
        factor.createdAt,
      ],
    );
    return rows.length > 0;
  }

  /**
   * WebAuthn §6.1.1: records a passkey's use with its new signature counter, only when the
   * counter moved on (or the authenticator keeps none: both zero). One statement.
   */
  async usePasskey(factorId: string, signCount: number, now: Date): Promise<boolean> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE user_factors SET sign_count = $2, last_used_at = $3
       WHERE id = $1 AND (sign_count < $2 OR (sign_count = 0 AND $2 = 0)) RETURNING id`,
      [factorId, signCount, now],
    );
    return rows.length > 0;
  }

  /** `lastStep`: a TOTP factor confirmed with a code starts past that code's step. */
  async create(
    factor: {
      id: string;
      userId: string;
      type: string;
      secret: string;
      createdAt: Date;
      lastStep: number;
    },
    tx?: Transaction,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO user_factors (id, user_id, type, secret, last_step, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [factor.id, factor.userId, factor.type, factor.secret, factor.lastStep, factor.createdAt],
      tx,
    );
  }

  /** Whether the user has a factor of `type`, read in `tx` (which locked the user's row). */
  async hasType(userId: string, type: string, tx: Transaction): Promise<boolean> {
    const rows = await this.db.query<{ id: string }>(
      `SELECT id FROM user_factors WHERE user_id = $1 AND type = $2 LIMIT 1`,
      [userId, type],
      tx,
    );
    return rows.length > 0;
  }

  /** The user's factors, oldest first. */
  async findByUser(userId: string): Promise<UserFactorRecord[]> {
    if (!isCanonicalUuid(userId)) return [];
    return this.db.query<UserFactorRecord>(
      `SELECT ${COLUMNS} FROM user_factors WHERE user_id = $1 ORDER BY created_at, id`,
      [userId],
    );
  }

  /** Removes one factor of the user, in `tx`; false when the user has no such factor. */
  async delete(userId: string, factorId: string, tx: Transaction): Promise<boolean> {
    if (!isCanonicalUuid(userId) || !isCanonicalUuid(factorId)) return false;
    const rows = await this.db.query<{ id: string }>(
      `DELETE FROM user_factors WHERE id = $1 AND user_id = $2 RETURNING id`,
      [factorId, userId],
      tx,
    );
    return rows.length > 0;
  }

  /**
   * Deletes the user's recovery codes, in `tx`, unless a factor of `type` (the type whose
   * enrolment issued them) is left; the caller has locked the user's row.
   */
  async deleteRecoveryCodesUnlessLeft(
    userId: string,
    type: string,
    tx: Transaction,
  ): Promise<void> {
    await this.db.query(
      `DELETE FROM recovery_codes WHERE user_id = $1
       AND NOT EXISTS (SELECT 1 FROM user_factors WHERE user_id = $1 AND type = $2)`,
      [userId, type],
      tx,
    );
  }

  /**
   * RFC 6238 §5.2: accepts a code for `step` only when no code of the factor was accepted for
   * that step or a later one. One statement, so two posts of one code on any instances get one
   * acceptance.
   */
  async useStep(factorId: string, step: number, now: Date): Promise<boolean> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE user_factors SET last_step = $2, last_used_at = $3
       WHERE id = $1 AND last_step < $2 RETURNING id`,
      [factorId, step, now],
    );
    return rows.length > 0;
  }

  /** Replaces the user's recovery codes with new ones (their keyed hashes). */
  async replaceRecoveryCodes(
    userId: string,
    codes: readonly { id: string; codeHash: Buffer }[],
    now: Date,
    tx: Transaction,
  ): Promise<void> {
    await this.db.query(`DELETE FROM recovery_codes WHERE user_id = $1`, [userId], tx);
    for (const code of codes) {
      await this.db.query(
        `INSERT INTO recovery_codes (id, user_id, code_hash, created_at) VALUES ($1, $2, $3, $4)`,
        [code.id, userId, code.codeHash, now],
        tx,
      );
    }
  }

  /** Uses a recovery code of the user once; false when it is unknown or was used. */
  async useRecoveryCode(userId: string, codeHash: Buffer, now: Date): Promise<boolean> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE recovery_codes SET used_at = $3
       WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING id`,
      [userId, codeHash, now],
    );
    return rows.length > 0;
  }
}
