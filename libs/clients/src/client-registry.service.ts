import { randomUUID } from 'node:crypto';

import { Injectable, OnModuleDestroy } from '@nestjs/common';

import { Clock } from '@app/config';
import { hashToken, MasterKeyCipher, randomToken } from '@app/crypto';
import { OAuthError } from '@app/errors';
import {
  ClientRecord,
  ClientRepository,
  ClientSecretColumns,
  DatabaseNotifications,
  isCanonicalUuid,
  NotificationChannel,
} from '@app/persistence';

import { ClientMetadata, RegisteredClient } from './client';
import { authMethodUsesSecret, SECRET_METHODS } from './client-metadata.validator';

/** A client without its secret, as the admin API lists it. */
export type ClientSummary = Pick<RegisteredClient, 'clientId' | 'metadata' | 'issuedAt'>;

/** A client and, when one was just issued, its secret in plaintext (shown once). */
export interface ClientWithNewSecret {
  readonly client: RegisteredClient;
  readonly secret: string | null;
}

/** One page of clients; `nextCursor` is null on the last page. */
export interface ClientPage {
  readonly items: ClientSummary[];
  readonly nextCursor: string | null;
}

/** 256 random bits (RFC 6749 §10.10 asks for enough entropy that guessing is infeasible). */
const SECRET_BYTES = 32;
/** Clients kept in memory per instance; the oldest entry goes first beyond this. */
const CACHE_LIMIT = 10_000;

/**
 * Registered clients: create, read, replace, delete, rotate secret. Metadata is validated by
 * ClientMetadataValidator before it gets here. Found clients are cached in memory, and a
 * delete, replace or secret rotation on any instance takes effect on every instance at once
 * (CONTRACT §3, §4): the database notifies every instance inside the changing transaction, and
 * the cache serves only while that notification channel is up, starting empty each time it
 * (re)connects.
 */
@Injectable()
export class ClientRegistry implements OnModuleDestroy {
  private readonly cache = new Map<string, RegisteredClient>();
  /** Bumped by every invalidation, so a lookup that raced one does not cache what it read. */
  private generation = 0;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly clients: ClientRepository,
    private readonly cipher: MasterKeyCipher,
    private readonly clock: Clock,
    private readonly notifications: DatabaseNotifications,
  ) {
    this.unsubscribe = notifications.subscribe(NotificationChannel.ClientChanged, {
      onNotify: (clientId) => this.forget(clientId),
      onReset: () => this.forgetAll(),
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  /** The client, with its secret decrypted, or null. Never served from cache across a change on any instance. */
  async findById(clientId: string): Promise<RegisteredClient | null> {
    // Refused before the cache sees it: a cache keyed by another spelling of the id would never
    // be emptied by the invalidation of the canonical one.
    if (!isCanonicalUuid(clientId)) return null;
    const listening = this.notifications.isListening();
    if (listening) {
      const hit = this.cache.get(clientId);
      if (hit) return hit;
    }
    const generation = this.generation;
    const record = await this.clients.findById(clientId);
    const client = record ? this.toRegisteredClient(record) : null;
    if (client && listening && this.notifications.isListening() && generation === this.generation) {
      if (this.cache.size >= CACHE_LIMIT)
        this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(clientId, client);
    }
    return client;
  }

  /** Stores a new client with a random UUID client_id and, when its auth method uses one, a new secret. */
  async create(metadata: ClientMetadata): Promise<ClientWithNewSecret> {
    const clientId = randomUUID();
    const secret = authMethodUsesSecret(metadata.token_endpoint_auth_method)
      ? randomToken(SECRET_BYTES)
      : null;
    const record = await this.clients.create({
      clientId,
      metadata: { ...metadata },
      issuedAt: this.clock.now(),
      ...this.secretColumns(clientId, secret),
    });
    return { client: this.toRegisteredClient(record), secret };
  }

  /** One page of clients in a stable order; `cursor` is a previous page's nextCursor. */
  async list(limit: number, cursor: string | null): Promise<ClientPage> {
    const after = cursor === null ? null : decodeCursor(cursor);
    const rows = await this.clients.list(limit + 1, after);
    const items = rows.slice(0, limit).map((r) => ({
      clientId: r.clientId,
      metadata: r.metadata as unknown as ClientMetadata,
      issuedAt: r.clientIdIssuedAt,
    }));
    const nextCursor = rows.length > limit ? encodeCursor(items[items.length - 1].clientId) : null;
    return { items, nextCursor };
  }

  /**
   * Replaces the metadata (RFC 7592 §2.2: a full replacement). A client moving to an auth method
   * without a secret loses it; one moving to a secret method without one is issued one, returned
   * here once. Null when there is no such client.
   */
  async replace(clientId: string, metadata: ClientMetadata): Promise<ClientWithNewSecret | null> {
    const current = await this.clients.findById(clientId);
    if (!current) return null;
    const wantsSecret = authMethodUsesSecret(metadata.token_endpoint_auth_method);
    const hasSecret = current.secretHash !== null;
    const secret = wantsSecret && !hasSecret ? randomToken(SECRET_BYTES) : null;
    const secretChange: ClientSecretColumns | undefined =
      wantsSecret === hasSecret ? undefined : this.secretColumns(clientId, secret);
    const record = await this.clients.replace(
      clientId,
      { ...metadata },
      secretChange,
      this.clock.now(),
    );
    this.forget(clientId);
    return record ? { client: this.toRegisteredClient(record), secret } : null;
  }

  /**
   * Issues a new secret; the old one stops matching at once (its hash is overwritten). Null when
   * there is no such client; invalid_request for a client whose auth method uses no secret. The
   * statement that stores it checks the method on the row it updates, so a replace to a method
   * without a secret that commits meanwhile cannot be given one back; only a refusal reads the
   * client, to say why.
   */
  async rotateSecret(clientId: string): Promise<string | null> {
    const secret = randomToken(SECRET_BYTES);
    const replaced = await this.clients.replaceSecret(
      clientId,
      this.secretColumns(clientId, secret),
      this.clock.now(),
      SECRET_METHODS,
    );
    if (replaced) {
      this.forget(clientId);
      return secret;
    }
    const current = await this.clients.findById(clientId);
    if (!current) return null;
    const method = (current.metadata as unknown as ClientMetadata).token_endpoint_auth_method;
    throw new OAuthError('invalid_request', 'This client does not use a client secret.', {
      detail: `token_endpoint_auth_method ${method}`,
    });
  }

  /** Deletes the client and, through the cascade, every grant and token issued to it. False when unknown. */
  async delete(clientId: string): Promise<boolean> {
    const deleted = await this.clients.delete(clientId);
    this.forget(clientId);
    return deleted;
  }

  private forget(clientId: string): void {
    this.generation += 1;
    this.cache.delete(clientId);
  }

  private forgetAll(): void {
    this.generation += 1;
    this.cache.clear();
  }

  private secretColumns(clientId: string, secret: string | null): ClientSecretColumns {
    if (secret === null) return { secretEncrypted: null, secretHash: null };
    // The client_id is bound as AAD: an envelope copied to another client's row does not decrypt.
    return {
      secretEncrypted: this.cipher.encrypt(secret, `client_secret:${clientId}`),
      secretHash: hashToken(secret),
    };
  }

  /** Frozen: one cached object is shared by concurrent requests. */
  private toRegisteredClient(record: ClientRecord): RegisteredClient {
    return Object.freeze({
      clientId: record.clientId,
      metadata: Object.freeze(record.metadata) as unknown as ClientMetadata,
      issuedAt: record.clientIdIssuedAt,
      secret: record.secretEncrypted
        ? this.cipher.decryptString(record.secretEncrypted, `client_secret:${record.clientId}`)
        : null,
      secretHash: record.secretHash,
      tokenGeneration: record.tokenGeneration,
    });
  }
}

function encodeCursor(lastClientId: string): string {
  return Buffer.from(JSON.stringify({ after: lastClientId }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  let after: unknown;
  try {
    after = (
      JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown } | null
    )?.after;
  } catch {
    after = undefined;
  }
  if (!isCanonicalUuid(after)) {
    throw new OAuthError('invalid_request', 'The cursor is invalid.', {
      fields: [{ field: 'cursor', problems: ['is not a cursor this API returned'] }],
    });
  }
  return after;
}
