import { pbkdf2, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

import { verify as argon2Verify } from '@node-rs/argon2';
import { compare as bcryptCompare } from 'bcryptjs';

/** The password hash formats a user import accepts (CONTRACT §4 users/import). */
export type PasswordHashAlgorithm = 'argon2' | 'bcrypt' | 'pbkdf2-sha256';

// PHC string of argon2 (argon2id, argon2i, argon2d; version 0x10 or 0x13), as libargon2 writes it
// (parameters m, t, p in any order: the PHC format names them, and writers differ).
const ARGON2 =
  /^\$argon2(?:id|i|d)\$(?:v=\d+\$)?[mtp]=\d+,[mtp]=\d+,[mtp]=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;
// Modular crypt bcrypt: 2a, 2b or 2y (one algorithm), a two-digit cost, 22 + 31 characters of
// bcrypt's own base64 (salt, then checksum).
const BCRYPT = /^\$2[aby]\$(\d{2})\$[./A-Za-z0-9]{53}$/;
// passlib's pbkdf2_sha256: $pbkdf2-sha256$rounds$salt$checksum, salt and checksum in passlib's
// "adapted base64" (ab64: `.` for `+`, no padding).
const PBKDF2_SHA256 = /^\$pbkdf2-sha256\$([1-9]\d{0,9})\$([./A-Za-z0-9]*)\$([./A-Za-z0-9]{43})$/;

/**
 * Bounds on imported argon2 costs: above them one check of a guessed password ties up a core or
 * memory (each check runs at the hash's own costs until its first sign-in replaces it). RFC 9106
 * §4's second recommendation (64 MiB, t=3, p=4) and libsodium's "moderate" (256 MiB) fit.
 */
const ARGON2_COSTS = { m: 262_144, t: 10, p: 16 } as const;

/**
 * Bounds on imported bcrypt costs (2^cost rounds; the format allows 4..31). bcryptjs computes on
 * the event loop: one check costs about 0.07 ms × 2^cost (cost 12: 0.27 s, 13: 0.55 s), so a
 * cost of 31 (40 hours) let anyone who knew such a username stop sign-ins with two posts. 13
 * is above what frameworks write by default (10 to 12).
 */
const BCRYPT_COST = { min: 4, max: 13 } as const;
/**
 * Bounds on imported PBKDF2 rounds: below is no protection, above is a denial of service (one
 * check costs about 0.2 ms per thousand rounds). OWASP asks for 600,000 (2023), Django 5 writes
 * 870,000 to 1,000,000.
 */
const PBKDF2_ROUNDS = { min: 1000, max: 2_000_000 } as const;

const pbkdf2Async = promisify(pbkdf2);

/** The algorithm of an importable hash, or null with what is wrong with it. */
export function importedHashAlgorithm(
  hash: string,
): { algorithm: PasswordHashAlgorithm } | { problem: string } {
  if (ARGON2.test(hash)) {
    return argon2WithinCosts(hash)
      ? { algorithm: 'argon2' }
      : {
          problem: `argon2 must name m, t and p once each, at most m=${ARGON2_COSTS.m} (KiB), t=${ARGON2_COSTS.t}, p=${ARGON2_COSTS.p}`,
        };
  }
  if (BCRYPT.test(hash)) {
    return bcryptWithinCost(hash)
      ? { algorithm: 'bcrypt' }
      : { problem: `bcrypt cost must be ${BCRYPT_COST.min} to ${BCRYPT_COST.max}` };
  }
  const p = parsePbkdf2Sha256(hash);
  if (p) {
    return p.rounds >= PBKDF2_ROUNDS.min && p.rounds <= PBKDF2_ROUNDS.max
      ? { algorithm: 'pbkdf2-sha256' }
      : { problem: `PBKDF2 rounds must be ${PBKDF2_ROUNDS.min} to ${PBKDF2_ROUNDS.max}` };
  }
  return {
    problem:
      'must be an argon2 PHC string ($argon2id$…), a bcrypt hash ($2a$, $2b$, $2y$) or passlib pbkdf2-sha256 ($pbkdf2-sha256$rounds$salt$hash)',
  };
}

/** Whether a bcrypt hash's cost is within BCRYPT_COST. */
function bcryptWithinCost(hash: string): boolean {
  const cost = Number(BCRYPT.exec(hash)?.[1]);
  return cost >= BCRYPT_COST.min && cost <= BCRYPT_COST.max;
}

/** Whether an argon2 PHC string names each of m, t and p once, within ARGON2_COSTS. */
function argon2WithinCosts(hash: string): boolean {
  const params = /\$([mtp]=\d+,[mtp]=\d+,[mtp]=\d+)\$/.exec(hash)?.[1].split(',') ?? [];
  const costs = new Map(params.map((pair) => [pair[0] as 'm' | 't' | 'p', Number(pair.slice(2))]));
  return (
    costs.size === 3 &&
    [...costs].every(([name, value]) => value >= 1 && value <= ARGON2_COSTS[name])
  );
}

/** A passlib pbkdf2-sha256 hash taken apart; null when `hash` is not one. */
export function parsePbkdf2Sha256(
  hash: string,
): { rounds: number; salt: Buffer; checksum: Buffer } | null {
  const m = PBKDF2_SHA256.exec(hash);
  if (!m) return null;
  const checksum = ab64Decode(m[3]);
  // SHA-256: a 32-byte checksum.
  if (checksum.length !== 32) return null;
  return { rounds: Number(m[1]), salt: ab64Decode(m[2]), checksum };
}

/** passlib's ab64: standard base64 with `.` for `+` and the padding left off. */
export function ab64Decode(text: string): Buffer {
  return Buffer.from(text.replace(/\./g, '+'), 'base64');
}

/**
 * True when `password` matches a stored `hash` (the server's own argon2id or an imported one),
 * by the hash's own algorithm, variant and costs; false (never an exception) for a malformed
 * hash, and for costs past the import's bounds (a row written some other way, or by an import
 * before the bounds were tightened), which are never computed. Comparisons are constant-time.
 */
export async function verifyStoredHash(hash: string, password: string): Promise<boolean> {
  try {
    if (hash.startsWith('$argon2'))
      return ARGON2.test(hash) && argon2WithinCosts(hash) && (await argon2Verify(hash, password));
    if (BCRYPT.test(hash)) return bcryptWithinCost(hash) && (await bcryptCompare(password, hash));
    const p = parsePbkdf2Sha256(hash);
    if (p && p.rounds >= PBKDF2_ROUNDS.min && p.rounds <= PBKDF2_ROUNDS.max) {
      const derived = await pbkdf2Async(password, p.salt, p.rounds, 32, 'sha256');
      return timingSafeEqual(derived, p.checksum);
    }
    return false;
  } catch {
    return false;
  }
}

/** The parameters the server hashes with; a stored hash below them is replaced at sign-in. */
export interface Argon2Parameters {
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

/**
 * Whether a stored hash should be replaced by the server's argon2id after a successful check:
 * any other algorithm (imported bcrypt, PBKDF2, argon2i/argon2d), or argon2id with less memory
 * or fewer passes than the server uses.
 */
export function needsRehash(hash: string, server: Argon2Parameters): boolean {
  const m = /^\$argon2id\$v=19\$([mtp]=\d+,[mtp]=\d+,[mtp]=\d+)\$/.exec(hash);
  if (!m) return true;
  const params: Record<string, string> = Object.fromEntries(
    m[1].split(',').map((pair) => pair.split('=') as [string, string]),
  );
  return Number(params.m) < server.memoryCost || Number(params.t) < server.timeCost;
}
