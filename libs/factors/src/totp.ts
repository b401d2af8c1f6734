import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** RFC 6238 §4: 30-second steps from the Unix epoch. */
export const TOTP_STEP_SECONDS = 30;
/** RFC 4226 §5.3: six digits, as every authenticator app shows by default. */
export const TOTP_DIGITS = 6;
/** RFC 6238 §5.2: one step either side, for clock drift and typing time. */
export const TOTP_WINDOW_STEPS = 1;
/** 160 bits, RFC 4226 §4's recommended key length (the contract asks for 128 at least). */
const SECRET_BYTES = 20;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A new random shared secret, base32 (RFC 4648 §6) without padding, as authenticator apps take it. */
export function newTotpSecret(): string {
  return base32Encode(randomBytes(SECRET_BYTES));
}

/** The time step of `unixSeconds` (RFC 6238 §4.2: T = floor((now - T0) / X)). */
export function totpStep(unixSeconds: number): number {
  return Math.floor(unixSeconds / TOTP_STEP_SECONDS);
}

/** RFC 4226 §5.3 HOTP over the step counter with HMAC-SHA-1, six digits. */
export function totpCode(secret: Buffer, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', secret).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** TOTP_DIGITS).padStart(TOTP_DIGITS, '0');
}

/**
 * The step within the window around `unixSeconds` whose code is `code`, latest first, or null.
 * Every candidate is compared, in constant time, so the timing says nothing about which matched.
 */
export function matchTotpStep(secret: Buffer, code: string, unixSeconds: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const now = totpStep(unixSeconds);
  let match: number | null = null;
  for (let step = now + TOTP_WINDOW_STEPS; step >= now - TOTP_WINDOW_STEPS; step -= 1) {
    const equal = timingSafeEqual(Buffer.from(totpCode(secret, step)), Buffer.from(code));
    if (equal && match === null) match = step;
  }
  return match;
}

/**
 * The Key URI Format of Google Authenticator (the `otpauth://` URI every app reads from a QR
 * code): `otpauth://totp/ISSUER:ACCOUNT?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`.
 */
export function otpauthUri(secret: string, issuer: string, account: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = new URLSearchParams({
    secret,
    issuer,
    algorithm: 'SHA1',
    digits: String(TOTP_DIGITS),
    period: String(TOTP_STEP_SECONDS),
  });
  return `otpauth://totp/${label}?${query.toString()}`;
}

export function base32Encode(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** RFC 4648 §6 base32, letter case and padding ignored; null for anything else. */
export function base32Decode(text: string): Buffer | null {
  const clean = text.replace(/=+$/, '').toUpperCase();
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of clean) {
    const index = BASE32.indexOf(char);
    if (index < 0) return null;
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}
