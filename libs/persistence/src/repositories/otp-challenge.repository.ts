import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';

import { Database } from '../database';
import { OtpChallengeEntity } from '../entities';

/** An OTP challenge as stored: the reference and the OTP only as hashes. */
export interface OtpChallengeRecord {
  id: string;
  /** SHA-256 of the opaque reference. */
  referenceHash: Buffer;
  clientId: string;
  grantType: string;
  /** The username as used for `{mobile}` and `sub` (an MSISDN keeps a leading `+`). */
  username: string;
  /** The recipient in any spelling (an MSISDN's digits, the e-mail address). */
  usernameKey: string;
  /** Keyed hash of the OTP, bound to this challenge. */
  codeHash: Buffer;
  createdAt: Date;
  expiresAt: Date;
}

/** The OTP challenges of the SMS-MT-OTP and SMTP-OTP grants. */
@Injectable()
export class OtpChallengeRepository {
  constructor(private readonly db: Database) {}

  /**
   * Stores a new challenge and spends every open challenge of the same grant type for the same
   * recipient (CONTRACT: a new initiation invalidates the earlier reference), in one
   * transaction. The advisory lock orders racing initiations for one recipient on any
   * instances, so the later one always sees, and spends, the earlier one.
   */
  async create(challenge: OtpChallengeRecord): Promise<void> {
    const lock = `otp_challenge:${challenge.grantType}:${challenge.usernameKey}`;
    await this.db.withAdvisoryLock(lock, (tx) =>
      this.db.use(
        OtpChallengeEntity,
        async (challenges) => {
          await challenges.update(
            {
              grantType: challenge.grantType,
              usernameKey: challenge.usernameKey,
              consumedAt: IsNull(),
            },
            { consumedAt: challenge.createdAt },
          );
          await challenges.insert(challenge);
        },
        tx,
      ),
    );
  }

  /**
   * Marks the challenge with this reference used and returns it, or null when it is unknown,
   * belongs to another client or grant type, was used before, or has expired at `now`.
   * One statement: two validations racing on any instances get one row, and the first
   * validation consumes the reference whether its code is right or not.
   */
  async consume(
    referenceHash: Buffer,
    clientId: string,
    grantType: string,
    now: Date,
  ): Promise<OtpChallengeRecord | null> {
    const rows = await this.db.query<OtpChallengeRecord>(
      `UPDATE otp_challenges SET consumed_at = $4
       WHERE reference_hash = $1 AND client_id = $2 AND grant_type = $3
         AND consumed_at IS NULL AND expires_at > $4
       RETURNING id, reference_hash AS "referenceHash", client_id AS "clientId", grant_type AS "grantType",
         username, username_key AS "usernameKey", code_hash AS "codeHash", created_at AS "createdAt", expires_at AS "expiresAt"`,
      [referenceHash, clientId, grantType, now],
    );
    return rows[0] ?? null;
  }
}
