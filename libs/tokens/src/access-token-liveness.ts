import { Injectable, OnModuleDestroy } from '@nestjs/common';

import { ClientRegistry } from '@app/clients';
import {
  DatabaseNotifications,
  GrantRepository,
  isCanonicalUuid,
  NotificationChannel,
} from '@app/persistence';

import { isCurrentGeneration } from './token-generation';

/** Live grants and unrevoked jtis remembered per instance; the oldest go first beyond this. */
const CACHE_LIMIT = 50_000;
const ALL = '*';

/**
 * Whether an access token is still alive (CONTRACT §3, §4: its client exists and has not revoked
 * all its tokens since it was minted, its grant is not revoked or deleted, its jti is not revoked),
 * answered from memory once the database said so.
 * Every revocation and deletion notifies every instance inside its transaction (migration
 * NotifyTokenRevocations; clients through ClientRegistry), and nothing is remembered or served
 * while that channel is down, so a revoked token is inactive on every instance at once.
 */
@Injectable()
export class AccessTokenLiveness implements OnModuleDestroy {
  private readonly liveGrants = new Set<string>();
  private readonly liveJtis = new Set<string>();
  /** Bumped by every invalidation, so a lookup that raced one remembers nothing. */
  private generation = 0;
  private readonly unsubscribe: Array<() => void>;

  constructor(
    private readonly grants: GrantRepository,
    private readonly clients: ClientRegistry,
    private readonly notifications: DatabaseNotifications,
  ) {
    const reset = () => this.forgetAll();
    this.unsubscribe = [
      notifications.subscribe(NotificationChannel.GrantChanged, {
        onNotify: (grantId) =>
          grantId === ALL ? this.forgetAll() : this.forget(this.liveGrants, grantId),
        onReset: reset,
      }),
      notifications.subscribe(NotificationChannel.AccessTokenRevoked, {
        onNotify: (jti) => this.forget(this.liveJtis, jti),
        onReset: reset,
      }),
    ];
  }

  onModuleDestroy(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
  }

  /** `tokenGeneration`: the client's token generation the token was minted in (token-generation.ts). */
  async isLive(
    clientId: string,
    grantId: string | null,
    jti: string,
    tokenGeneration: number,
  ): Promise<boolean> {
    // Ids this server minted are canonical; any other spelling is no token of ours.
    if (!isCanonicalUuid(clientId) || (grantId !== null && !isCanonicalUuid(grantId))) return false;
    const listening = this.notifications.isListening();
    if (listening && this.liveJtis.has(jti) && (grantId === null || this.liveGrants.has(grantId))) {
      // The client cache answers from memory too, and forgets a deleted client, or one whose
      // tokens were all revoked (a new generation), on every instance.
      const client = await this.clients.findById(clientId);
      if (client) return isCurrentGeneration(tokenGeneration, client.tokenGeneration);
    }
    const generation = this.generation;
    const state = await this.grants.accessTokenState(clientId, grantId, jti);
    const live =
      state.clientExists &&
      isCurrentGeneration(tokenGeneration, state.clientTokenGeneration) &&
      state.grantActive &&
      !state.revoked;
    if (live && listening && this.notifications.isListening() && generation === this.generation) {
      remember(this.liveJtis, jti);
      if (grantId !== null) remember(this.liveGrants, grantId);
    }
    return live;
  }

  private forget(set: Set<string>, key: string): void {
    this.generation += 1;
    set.delete(key);
  }

  private forgetAll(): void {
    this.generation += 1;
    this.liveGrants.clear();
    this.liveJtis.clear();
  }
}

function remember(set: Set<string>, key: string): void {
  if (set.has(key)) return;
  if (set.size >= CACHE_LIMIT) set.delete(set.values().next().value as string);
  set.add(key);
}
