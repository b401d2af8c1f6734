import { Injectable } from '@nestjs/common';

import { Database } from '../database';

/** An OTP challenge as stored: the reference and the OTP only as hashes. */
export interface OtpChallengeRecord {
  id: string;
  /** SHA-256 of the opaque reference. */
  referenceHash: Buffer;
  clientId: string;
  grantType: string;
  /** The normalised username (MSISDN digits or lower-case e-mail address). */
  username: string;
  /** Keyed hash of the OTP, bound to this challenge. */
  codeHash: Buffer;
  createdAt: Date;
  expiresAt: Date;
}

/** The OTP challenges of the SMS-MT-OTP and SMTP-OTP grants. */
@Injectable()
export class OtpChallengeRepository {
  constructor(private readonly db: Database) {}

  async create(challenge: OtpChallengeRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO otp_challenges (id, reference_hash, client_id, grant_type, username, code_hash, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        challenge.id, challenge.referenceHash, challenge.clientId, challenge.grantType,
        challenge.username, challenge.codeHash, challenge.createdAt, challenge.expiresAt,
      ],
    );
  }

  /**
   * Marks the challenge with this reference used and returns it, or null when it is unknown,
   * belongs to another client or grant type, was used before, or has expired at `now`.
   * One statement: two validations racing on any instances get one row, and the first
   * validation consumes the reference whether its code is right or not.
   */
  async consume(referenceHash: Buffer, clientId: string, grantType: string, now: Date): Promise<OtpChallengeRecord | null> {
    const rows = await this.db.query<OtpChallengeRecord>(
      `UPDATE otp_challenges SET consumed_at = $4
       WHERE reference_hash = $1 AND client_id = $2 AND grant_type = $3
         AND consumed_at IS NULL AND expires_at > $4
       RETURNING id, reference_hash AS "referenceHash", client_id AS "clientId", grant_type AS "grantType",
         username, code_hash AS "codeHash", created_at AS "createdAt", expires_at AS "expiresAt"`,
      [referenceHash, clientId, grantType, now],
    );
    return rows[0] ?? null;
  }
}
