import { randomUUID } from 'node:crypto';

import { Logger } from '@nestjs/common';
import { Client } from 'pg';

/** PostgreSQL NOTIFY channels this server listens on; each is sent by a trigger, in the changing transaction. */
export const NotificationChannel = {
  /** Payload: the client_id of a client row updated or deleted (migration NotifyClientChanges). */
  ClientChanged: 'uas_client_changed',
  /** Payload: the id of a grant revoked or deleted, or '*' for many at once (migration NotifyTokenRevocations). */
  GrantChanged: 'uas_grant_changed',
  /** Payload: the jti of a revoked access token. */
  AccessTokenRevoked: 'uas_access_token_revoked',
  /**
   * Payload: the id of a user whose row (or anything else its claims are made of, such as its
   * directory account) was updated or deleted (migration NotifyUserChanges).
   */
  UserChanged: 'uas_user_changed',
} as const;
export type NotificationChannel = (typeof NotificationChannel)[keyof typeof NotificationChannel];

/** What a cache registers: a changed key, or "forget everything" (the listener lost and regained its connection). */
export interface NotificationListener {
  onNotify(payload: string): void;
  onReset(): void;
}

/**
 * A barrier: every listening instance answers it on BARRIER_ACK once it has processed every
 * notification committed before it (notifications arrive in commit order).
 */
const BARRIER = 'uas_barrier';
const BARRIER_ACK = 'uas_barrier_ack';
/** A writer waits at most this long for every instance to confirm a change (then answers anyway). */
const PROPAGATION_TIMEOUT_MS = 2_000;
const RECONNECT_MS = 1_000;
const APPLICATION_NAME = 'uas-notifications';
/** A listener connection that died without a FIN is noticed within PING_MS + the query timeout. */
const PING_MS = 2_000;
const PING_TIMEOUT_MS = 2_000;

/**
 * One dedicated connection that LISTENs on every NotificationChannel, so in-process caches can
 * be invalidated by changes committed on any instance. While it is not listening (starting,
 * lost, reconnecting), `isListening()` is false and caches must not serve; every loss and every
 * reconnect resets all listeners, so nothing cached across a gap is ever served.
 */
export class DatabaseNotifications {
  private readonly logger = new Logger('DatabaseNotifications');
  private readonly listeners = new Map<string, Set<NotificationListener>>();
  private client: Client | null = null;
  private listening = false;
  private closed = false;
  private retry: NodeJS.Timeout | null = null;
  private ping: NodeJS.Timeout | null = null;
  private readonly barriers = new Map<string, { remaining: number; resolve: () => void }>();

  /** `url` null: the embedded engine (one process, one connection): never listening, so nothing is cached. */
  constructor(private readonly url: string | null) {}

  /** True while every change on every instance reaches the listeners. */
  isListening(): boolean {
    return this.listening;
  }

  /** Registers `listener` on `channel`; returns the unsubscribe function. */
  subscribe(channel: NotificationChannel, listener: NotificationListener): () => void {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /**
   * Resolves once every instance listening now has processed every change committed before this
   * call, so a write answered after it takes effect on all of them at once (CONTRACT §3, §4).
   * Gives up after PROPAGATION_TIMEOUT_MS (an instance lost mid-way); does nothing when this
   * instance is not listening (the embedded engine has a single instance and no caches).
   */
  async propagate(): Promise<void> {
    const client = this.client;
    if (!this.listening || !client) return;
    const id = randomUUID();
    let timer: NodeJS.Timeout | undefined;
    try {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`,
        [APPLICATION_NAME],
      );
      const instances = rows[0].n;
      const confirmed = new Promise<boolean>((resolve) =>
        this.barriers.set(id, { remaining: instances, resolve: () => resolve(true) }),
      );
      await client.query('SELECT pg_notify($1, $2)', [BARRIER, id]);
      const timedOut = new Promise<boolean>(
        (resolve) => (timer = setTimeout(() => resolve(false), PROPAGATION_TIMEOUT_MS)),
      );
      if (!(await Promise.race([confirmed, timedOut]))) {
        // The change is committed and answered anyway; an operator must be able to see that
        // some instance may still answer from its caches until it hears of it.
        const silent = this.barriers.get(id)?.remaining ?? 0;
        this.logger.warn(
          `${silent} of ${instances} instances did not confirm a change within ${PROPAGATION_TIMEOUT_MS} ms; until they hear of it they may answer from their caches`,
        );
      }
    } catch (error) {
      this.logger.warn(
        `could not confirm a change on every instance: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      if (timer) clearTimeout(timer);
      this.barriers.delete(id);
    }
  }

  /** Connects in the background; resolves once the first attempt finished (listening or not). */
  async start(): Promise<void> {
    if (this.url === null) return;
    await this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.drop();
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    this.retry = null;
    if (this.closed || this.url === null) return;
    let client: Client;
    try {
      client = new Client({
        connectionString: this.url,
        application_name: APPLICATION_NAME,
        keepAlive: true,
        connectionTimeoutMillis: 3_000,
        query_timeout: PING_TIMEOUT_MS,
      });
    } catch (error) {
      this.scheduleReconnect(error);
      return;
    }
    client.on('notification', (message) => {
      if (this.client !== client) return;
      const payload = message.payload ?? '';
      if (message.channel === BARRIER) {
        client
          .query('SELECT pg_notify($1, $2)', [BARRIER_ACK, payload])
          .catch((error: unknown) => this.lost(client, error));
        return;
      }
      if (message.channel === BARRIER_ACK) {
        const barrier = this.barriers.get(payload);
        if (barrier && (barrier.remaining -= 1) <= 0) barrier.resolve();
        return;
      }
      for (const listener of this.listeners.get(message.channel) ?? []) listener.onNotify(payload);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      for (const channel of [...Object.values(NotificationChannel), BARRIER, BARRIER_ACK])
        await client.query(`LISTEN ${channel}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      this.scheduleReconnect(error);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    // Whatever was cached before this connection listened may have missed a change.
    this.resetAll();
    this.client = client;
    this.listening = true;
    this.ping = setInterval(() => {
      client.query('SELECT 1').catch((error: unknown) => this.lost(client, error));
    }, PING_MS);
    this.ping.unref();
  }

  private lost(client: Client, error: unknown): void {
    if (this.client !== client) return;
    this.drop();
    client.end().catch(() => undefined);
    this.scheduleReconnect(error);
  }

  /** Stops serving first, then forgets: a listener never serves across the gap. */
  private drop(): void {
    this.listening = false;
    this.client = null;
    if (this.ping) clearInterval(this.ping);
    this.ping = null;
    this.resetAll();
  }

  private scheduleReconnect(error: unknown): void {
    if (this.closed) return;
    this.logger.warn(
      `not listening for changes (${error instanceof Error ? error.message : String(error)}); caches bypassed, retrying`,
    );
    this.retry = setTimeout(() => void this.connect(), RECONNECT_MS);
    this.retry.unref();
  }

  private resetAll(): void {
    for (const set of this.listeners.values()) for (const listener of set) listener.onReset();
  }
}
