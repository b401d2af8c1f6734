import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh random value of `bytes` bytes, base64url (default 32 bytes = 256 bits). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** SHA-256 of a high-entropy value we minted (codes, refresh tokens, session ids): enough, no slow hash needed. */
export function hashToken(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time comparison of two strings; lengths are hidden by hashing first. */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(hashToken(a), hashToken(b));
}

/** A new 32-byte master key, base64url: what MASTER_KEY holds. */
export function generateMasterKey(): string {
  return randomBytes(32).toString('base64url');
}
