import { Injectable } from '@nestjs/common';

import { Database, Queryable } from '../database';

/** A server key as stored; the private key is a MASTER_KEY envelope. */
export interface ServerKeyRecord {
  kid: string;
  use: 'sig' | 'enc';
  alg: string;
  publicJwk: Record<string, unknown>;
  privateKeyEncrypted: string;
  certificatePem: string | null;
  createdAt: Date;
  activatesAt: Date;
  retiresAt: Date | null;
}

const COLUMNS = `kid, use, alg, public_jwk AS "publicJwk", private_key_encrypted AS "privateKeyEncrypted",
  certificate_pem AS "certificatePem", created_at AS "createdAt", activates_at AS "activatesAt",
  retires_at AS "retiresAt"`;

/** Server signing and encryption keys. */
@Injectable()
export class ServerKeyRepository {
  constructor(private readonly db: Database) {}

  /** Keys not yet retired at `now` (published in the JWKS), oldest activation first. */
  findPublished(now: Date, tx: Queryable = this.db): Promise<ServerKeyRecord[]> {
    return tx.query<ServerKeyRecord>(
      `SELECT ${COLUMNS} FROM server_keys WHERE retires_at IS NULL OR retires_at > $1
       ORDER BY activates_at, created_at`,
      [now],
    );
  }

  /** Runs `fn` in one transaction holding the key-management lock of every instance. */
  withBootstrapLock<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.withAdvisoryLock('uas:server_keys', fn);
  }

  findAll(): Promise<ServerKeyRecord[]> {
    return this.db.query<ServerKeyRecord>(`SELECT ${COLUMNS} FROM server_keys ORDER BY activates_at, created_at`);
  }

  async create(key: Omit<ServerKeyRecord, 'createdAt' | 'retiresAt'>, tx: Queryable = this.db): Promise<void> {
    await tx.query(
      `INSERT INTO server_keys (kid, use, alg, public_jwk, private_key_encrypted, certificate_pem, activates_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [key.kid, key.use, key.alg, JSON.stringify(key.publicJwk), key.privateKeyEncrypted, key.certificatePem, key.activatesAt],
    );
  }

  /**
   * Schedules the retirement of every other signing key still unretired: each stays published
   * until `retiresAt` (when the new key has signed for longer than any token lives).
   */
  async scheduleRetirementOfSigningKeysExcept(kid: string, retiresAt: Date, tx: Queryable = this.db): Promise<void> {
    await tx.query(
      `UPDATE server_keys SET retires_at = $2
       WHERE use = 'sig' AND kid <> $1 AND (retires_at IS NULL OR retires_at > $2)`,
      [kid, retiresAt],
    );
  }
}
