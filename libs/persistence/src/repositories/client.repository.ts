import { Injectable } from '@nestjs/common';
import { MoreThan, QueryDeepPartialEntity } from 'typeorm';

import { Database, Transaction } from '../database';
import { ClientEntity } from '../entities';
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
  /** Bumped by `startTokenGeneration`: access tokens minted in an older generation are inactive. */
  tokenGeneration: number;
}

/** A client as listed: no secret material at all. */
export type ClientListRecord = Omit<
  ClientRecord,
  'secretEncrypted' | 'secretHash' | 'tokenGeneration'
>;

/** The secret columns, written together (both null for clients without a secret). */
export interface ClientSecretColumns {
  secretEncrypted: string | null;
  secretHash: Buffer | null;
}

const COLUMNS = `client_id AS "clientId", metadata, client_id_issued_at AS "clientIdIssuedAt",
  updated_at AS "updatedAt", secret_encrypted AS "secretEncrypted", secret_hash AS "secretHash",
  token_generation AS "tokenGeneration"`;

/** Registered clients (table `clients`). Deleting one cascades to its grants, and so its tokens. */
@Injectable()
export class ClientRepository {
  constructor(private readonly db: Database) {}

  async create(
    client: {
      clientId: string;
      metadata: Record<string, unknown>;
      issuedAt: Date;
    } & ClientSecretColumns,
  ): Promise<ClientRecord> {
    const row: ClientRecord = {
      clientId: client.clientId,
      metadata: client.metadata,
      secretEncrypted: client.secretEncrypted,
      secretHash: client.secretHash,
      clientIdIssuedAt: client.issuedAt,
      updatedAt: client.issuedAt,
      tokenGeneration: 0,
    };
    // jsonb (metadata): TypeORM's insert type cannot see through `unknown`.
    await this.db.use(ClientEntity, (clients) =>
      clients.insert(row as QueryDeepPartialEntity<ClientEntity>),
    );
    return row;
  }

  /** Read by every client authentication the cache does not answer (each one on the embedded engine): one plain statement. */
  async findById(clientId: string): Promise<ClientRecord | null> {
    if (!isCanonicalUuid(clientId)) return null;
    const rows = await this.db.query<ClientRecord>(
      `SELECT ${COLUMNS} FROM clients WHERE client_id = $1`,
      [clientId],
    );
    return rows[0] ?? null;
  }

  /** Up to `limit` clients ordered by client_id, after `afterClientId` when given (keyset pagination). */
  list(limit: number, afterClientId: string | null): Promise<ClientListRecord[]> {
    return this.db.use(ClientEntity, (clients) =>
      clients.find({
        select: { clientId: true, metadata: true, clientIdIssuedAt: true, updatedAt: true },
        where: afterClientId === null ? {} : { clientId: MoreThan(afterClientId) },
        order: { clientId: 'ASC' },
        take: limit,
      }),
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

  /**
   * Replaces the secret; the old one matches nothing from this statement on. False when there is
   * no such client, or its auth method (by then) is none of `secretMethods`.
   */
  async replaceSecret(
    clientId: string,
    secret: ClientSecretColumns,
    now: Date,
    secretMethods: readonly string[],
  ): Promise<boolean> {
    if (!isCanonicalUuid(clientId)) return false;
    // Only while the client's auth method still uses a secret, checked on the row as it is
    // updated: a replace to private_key_jwt or none that committed since the caller read the
    // client (it clears the secret) would otherwise get a secret back, one that still keys
    // HS256 request objects and encrypted responses.
    const rows = await this.db.query(
      `UPDATE clients SET secret_encrypted = $2, secret_hash = $3, updated_at = $4
       WHERE client_id = $1 AND metadata->>'token_endpoint_auth_method' = ANY($5::text[])
       RETURNING client_id`,
      [clientId, secret.secretEncrypted, secret.secretHash, now, [...secretMethods]],
    );
    if (rows.length === 1) await this.db.propagateChanges();
    return rows.length === 1;
  }

  /**
   * Starts a new token generation: access tokens minted before it are inactive from the commit
   * on. The caller revokes the grants in the same transaction and propagates the change after
   * commit (the update notifies every instance's client cache). False when there is no such client.
   */
  async startTokenGeneration(clientId: string, tx: Transaction): Promise<boolean> {
    if (!isCanonicalUuid(clientId)) return false;
    const rows = await this.db.query(
      `UPDATE clients SET token_generation = token_generation + 1 WHERE client_id = $1 RETURNING client_id`,
      [clientId],
      tx,
    );
    return rows.length === 1;
  }

  /** Deletes the client; grants, refresh tokens, codes and OTP challenges go with it (ON DELETE CASCADE). */
  async delete(clientId: string): Promise<boolean> {
    if (!isCanonicalUuid(clientId)) return false;
    const { affected } = await this.db.use(ClientEntity, (clients) => clients.delete({ clientId }));
    if (affected === 1) await this.db.propagateChanges();
    return affected === 1;
  }
}
