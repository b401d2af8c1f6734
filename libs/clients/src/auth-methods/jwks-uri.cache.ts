import { Injectable } from '@nestjs/common';
import { JWK } from 'jose';

import { Clock } from '@app/config';

import { clientAuthFailed } from './client-auth-failure';

const CACHE_SECONDS = 5 * 60;
/** A kid miss refetches at most this often per URI: unknown kids cannot make us hammer a server. */
const REFRESH_COOLDOWN_SECONDS = 30;
const FETCH_TIMEOUT_MS = 3000;
const MAX_BODY_BYTES = 64 * 1024;
const MAX_ENTRIES = 1000;

interface CacheEntry {
  readonly keys: readonly JWK[];
  readonly fetchedAtSeconds: number;
}

/**
 * The key sets of clients registered with a jwks_uri, fetched on demand (https, or http on a
 * loopback host; no redirects; 3 s; 64 KB) and kept in memory for five minutes.
 */
@Injectable()
export class JwksUriCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<readonly JWK[]>>();

  constructor(private readonly clock: Clock) {}

  /**
   * The keys published at `uri`. `refresh` asks for a fresh copy (a kid was not found: the
   * client may have rotated its keys); honoured unless the cached copy is only seconds old.
   * Throws invalid_client when the set cannot be fetched.
   */
  async keys(uri: string, options: { refresh?: boolean } = {}): Promise<readonly JWK[]> {
    const entry = this.entries.get(uri);
    if (entry) {
      const age = this.clock.nowSeconds() - entry.fetchedAtSeconds;
      const wanted = options.refresh ? REFRESH_COOLDOWN_SECONDS : CACHE_SECONDS;
      if (age < wanted) return entry.keys;
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
      keys = await fetchJwks(uri);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw clientAuthFailed(`jwks_uri ${uri} not usable: ${reason}`);
    }
    this.entries.delete(uri);
    const oldest = this.entries.keys().next();
    if (this.entries.size >= MAX_ENTRIES && !oldest.done) this.entries.delete(oldest.value);
    this.entries.set(uri, { keys, fetchedAtSeconds: this.clock.nowSeconds() });
    return keys;
  }
}

async function fetchJwks(uri: string): Promise<JWK[]> {
  const url = allowedUrl(uri);
  const res = await fetch(url, {
    redirect: 'manual',
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    headers: { accept: 'application/jwk-set+json, application/json' },
  });
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new Error(`HTTP ${res.status}`);
  }
  const doc: unknown = JSON.parse(await readLimited(res, MAX_BODY_BYTES));
  if (!isObject(doc) || !Array.isArray(doc.keys)) throw new Error('not a JWK Set');
  return doc.keys.filter(isObject) as JWK[];
}

/** CONTRACT §4: jwks_uri is https, or http on a loopback host for development. */
function allowedUrl(uri: string): URL {
  const url = new URL(uri);
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  throw new Error('neither https nor loopback http');
}

function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

async function readLimited(res: Response, maxBytes: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw new Error(`body of ${declared} bytes exceeds ${maxBytes}`);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new Error(`body exceeds ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
