import { Injectable } from '@nestjs/common';
import { JWK } from 'jose';

import { Clock } from '@app/config';

import { OutboundHttpClient } from '../outbound/outbound-http-client';
import { isUsableKeySize } from '../rsa-key-size';
import { clientAuthFailed } from './client-auth-failure';

const CACHE_SECONDS = 5 * 60;
/** A kid miss refetches at most this often per URI: unknown kids cannot make us hammer a server. */
const REFRESH_COOLDOWN_SECONDS = 30;
/**
 * CONTRACT §4: a failed fetch is not retried within 10 s; each further failure doubles the wait,
 * up to five minutes, so unauthenticated requests naming the client cannot make us fetch again
 * and again (nor wait for a slow host each time).
 */
const FIRST_BACKOFF_SECONDS = 10;
const MAX_BACKOFF_SECONDS = 5 * 60;
const FETCH_TIMEOUT_MS = 3000;
const MAX_BODY_BYTES = 64 * 1024;
const MAX_ENTRIES = 1000;

interface CacheEntry {
  readonly keys: readonly JWK[];
  readonly fetchedAtSeconds: number;
}

interface FailureEntry {
  readonly failures: number;
  readonly retryAtSeconds: number;
  readonly reason: string;
}

/**
 * The key sets of clients registered with a jwks_uri, fetched on demand through the
 * OutboundHttpClient (its address rules; no redirects; 3 s; 64 KB) and kept in memory for five
 * minutes; a failure is remembered, and the URI not fetched again, for 10 s doubling to 5 min.
 * RSA keys shorter than 2048 bits are dropped. Per instance: each instance fetches on its own.
 */
@Injectable()
export class JwksUriCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly failures = new Map<string, FailureEntry>();
  private readonly inFlight = new Map<string, Promise<readonly JWK[]>>();

  constructor(
    private readonly clock: Clock,
    private readonly outbound: OutboundHttpClient,
  ) {}

  /**
   * The keys published at `uri`. `refresh` asks for a fresh copy (a kid was not found: the
   * client may have rotated its keys); honoured unless the cached copy is only seconds old.
   * Throws invalid_client when the set cannot be fetched, or failed to be fetched recently.
   */
  async keys(uri: string, options: { refresh?: boolean } = {}): Promise<readonly JWK[]> {
    const now = this.clock.nowSeconds();
    const entry = this.entries.get(uri);
    const age = entry ? now - entry.fetchedAtSeconds : Infinity;
    if (entry && age < (options.refresh ? REFRESH_COOLDOWN_SECONDS : CACHE_SECONDS))
      return entry.keys;
    const failure = this.failures.get(uri);
    if (failure && now < failure.retryAtSeconds) {
      // A refresh that may not happen yet still has the copy in hand.
      if (entry && age < CACHE_SECONDS) return entry.keys;
      throw clientAuthFailed(
        `jwks_uri ${uri} not usable (not retried until the backoff ends): ${failure.reason}`,
      );
    }
    return this.fetchOnce(uri);
  }

  /** Concurrent requests for one URI share one fetch. */
  private fetchOnce(uri: string): Promise<readonly JWK[]> {
    let pending = this.inFlight.get(uri);
    if (!pending) {
      pending = this.fetchAndStore(uri).finally(() => this.inFlight.delete(uri));
      this.inFlight.set(uri, pending);
    }
    return pending;
  }

  private async fetchAndStore(uri: string): Promise<readonly JWK[]> {
    let keys: JWK[];
    try {
      keys = await this.fetchJwks(uri);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.recordFailure(uri, reason);
      throw clientAuthFailed(`jwks_uri ${uri} not usable: ${reason}`);
    }
    this.failures.delete(uri);
    remember(this.entries, uri, { keys, fetchedAtSeconds: this.clock.nowSeconds() });
    return keys;
  }

  private recordFailure(uri: string, reason: string): void {
    const failures = (this.failures.get(uri)?.failures ?? 0) + 1;
    const backoff = Math.min(FIRST_BACKOFF_SECONDS * 2 ** (failures - 1), MAX_BACKOFF_SECONDS);
    remember(this.failures, uri, {
      failures,
      retryAtSeconds: this.clock.nowSeconds() + backoff,
      reason,
    });
  }

  private async fetchJwks(uri: string): Promise<JWK[]> {
    const res = await this.outbound.send(uri, {
      headers: { accept: 'application/jwk-set+json, application/json' },
      timeoutMs: FETCH_TIMEOUT_MS,
      maxBodyBytes: MAX_BODY_BYTES,
    });
    // A redirect is an answer like any other non-200: the client must register the final URL.
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    const doc: unknown = JSON.parse(res.body);
    if (!isObject(doc) || !Array.isArray(doc.keys)) throw new Error('not a JWK Set');
    // CONTRACT §4: a short RSA key is never used, whatever else the set holds.
    return doc.keys.filter(isObject).filter(isUsableKeySize);
  }
}

/** Sets `key` as the newest entry, dropping the oldest when the map is full. */
function remember<T>(map: Map<string, T>, key: string, value: T): void {
  map.delete(key);
  const oldest = map.keys().next();
  if (map.size >= MAX_ENTRIES && !oldest.done) map.delete(oldest.value);
  map.set(key, value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
