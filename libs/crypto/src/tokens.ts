import * as crypto from 'node:crypto';
import { createHash, randomBytes, randomFillSync, timingSafeEqual } from 'node:crypto';

/**
 * OpenSSL's CSPRNG output drawn 4 KiB at a time, as `crypto.randomUUID` draws its own: one call
 * into OpenSSL per 128 tokens instead of one per token (a refresh mints one, and the call cost
 * about 9 µs of a refresh's CPU). Each value's bytes are zeroed once taken, so no issued value
 * stays in the pool.
 */
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let taken = POOL_BYTES;

/** A fresh random value of `bytes` bytes, base64url (default 32 bytes = 256 bits). */
export function randomToken(bytes = 32): string {
  if (bytes > POOL_BYTES / 16) return randomBytes(bytes).toString('base64url');
  if (taken + bytes > POOL_BYTES) {
    randomFillSync(pool);
    taken = 0;
  }
  const value = pool.toString('base64url', taken, taken + bytes);
  pool.fill(0, taken, taken + bytes);
  taken += bytes;
  return value;
}

/**
 * `crypto.hash` (Node 20.12+): a one-shot digest without a Hash object, a third cheaper on the
 * short values hashed on every token request (client secrets, refresh tokens).
 */
const oneShotSha256 = (
  crypto as { hash?: (algorithm: string, data: string, encoding: 'buffer') => Buffer }
).hash;

/** SHA-256 of a high-entropy value we minted (codes, refresh tokens, session ids): enough, no slow hash needed. */
export function hashToken(value: string): Buffer {
  return oneShotSha256
    ? oneShotSha256('sha256', value, 'buffer')
    : createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time comparison of two strings; lengths are hidden by hashing first. */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(hashToken(a), hashToken(b));
}

/** A new 32-byte master key, base64url: what MASTER_KEY holds. */
export function generateMasterKey(): string {
  return randomBytes(32).toString('base64url');
}
