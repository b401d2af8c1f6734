import { Injectable } from '@nestjs/common';

import { Database } from '../database';
import { isCanonicalUuid } from '../identifiers';

/** A client row as stored; `metadata` uses RFC 7591 names. */
export interface ClientRecord {
  clientId: string;
  metadata: Record<string, unknown>;
  /** MASTER_KEY envelope of the secret (context `client_secret:<client_id>`), or null. */
  secretEncrypted: string | null;
  /** SHA-256 of the secret, or null. */
  secretHash: Buffer | null;
  clientIdIssuedAt: Date;
  updatedAt: Date;
}

/** A client as listed: no secret material at all. */
export type ClientListRecord = Omit<ClientRecord, 'secretEncrypted' | 'secretHash'>;

/** The secret columns, written together (both null for clients without a secret). */
export interface ClientSecretColumns {
  secretEncrypted: string | null;
  secretHash: Buffer | null;
}

const LIST_COLUMNS = `client_id AS "clientId", metadata, client_id_issued_at AS "clientIdIssuedAt",
  updated_at AS "updatedAt"`;
const COLUMNS = `${LIST_COLUMNS}, secret_encrypted AS "secretEncrypted", secret_hash AS "secretHash"`;


/** Registered clients (table `clients`). Deleting one cascades to its grants, and so its tokens. */
@Injectable()
export class ClientRepository {
  constructor(private readonly db: Database) {}

  async create(
    client: { clientId: string; metadata: Record<string, unknown>; issuedAt: Date } & ClientSecretColumns,
  ): Promise<ClientRecord> {
    const rows = await this.db.query<ClientRecord>(
      `INSERT INTO clients (client_id, metadata, secret_encrypted, secret_hash, client_id_issued_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $5)
       RETURNING ${COLUMNS}`,
      [client.clientId, JSON.stringify(client.metadata), client.secretEncrypted, client.secretHash, client.issuedAt],
    );
    return rows[0];
  }

  async findById(clientId: string): Promise<ClientRecord | null> {
    if (!isCanonicalUuid(clientId)) return null;
    const rows = await this.db.query<ClientRecord>(`SELECT ${COLUMNS} FROM clients WHERE client_id = $1`, [clientId]);
    return rows[0] ?? null;
  }

  /** Up to `limit` clients ordered by client_id, after `afterClientId` when given (keyset pagination). */
  list(limit: number, afterClientId: string | null): Promise<ClientListRecord[]> {
    return this.db.query<ClientListRecord>(
      `SELECT ${LIST_COLUMNS} FROM clients WHERE $2::uuid IS NULL OR client_id > $2::uuid
       ORDER BY client_id LIMIT $1`,
      [limit, afterClientId],
    );
  }

  /**
   * Replaces the metadata and, when `secret` is given, the secret columns, in one statement.
   * Null when there is no such client.
   */
  async replace(
    clientId: string,
    metadata: Record<string, unknown>,
    secret: ClientSecretColumns | undefined,
    now: Date,
  ): Promise<ClientRecord | null> {
    if (!isCanonicalUuid(clientId)) return null;
    const rows = await this.db.query<ClientRecord>(
      `UPDATE clients SET metadata = $2, updated_at = $3,
         secret_encrypted = CASE WHEN $4::boolean THEN $5::text ELSE secret_encrypted END,
         secret_hash = CASE WHEN $4::boolean THEN $6::bytea ELSE secret_hash END
       WHERE client_id = $1
       RETURNING ${COLUMNS}`,
      [
        clientId,
        JSON.stringify(metadata),
        now,
        secret !== undefined,
        secret?.secretEncrypted ?? null,
        secret?.secretHash ?? null,
      ],
    );
    // Every instance's client cache drops it before the change is reported done.
    if (rows[0]) await this.db.propagateChanges();
    return rows[0] ?? null;
  }

  /** Replaces the secret; the old one matches nothing from this statement on. False when there is no such client. */
  async replaceSecret(clientId: string, secret: ClientSecretColumns, now: Date): Promise<boolean> {
    if (!isCanonicalUuid(clientId)) return false;
    const rows = await this.db.query(
      `UPDATE clients SET secret_encrypted = $2, secret_hash = $3, updated_at = $4 WHERE client_id = $1 RETURNING 1`,
      [clientId, secret.secretEncrypted, secret.secretHash, now],
    );
    if (rows.length === 1) await this.db.propagateChanges();
    return rows.length === 1;
  }

  /** Deletes the client; grants, refresh tokens, codes and OTP challenges go with it (ON DELETE CASCADE). */
  async delete(clientId: string): Promise<boolean> {
    if (!isCanonicalUuid(clientId)) return false;
    const rows = await this.db.query('DELETE FROM clients WHERE client_id = $1 RETURNING 1', [clientId]);
    if (rows.length === 1) await this.db.propagateChanges();
    return rows.length === 1;
  }
}
