import { createHash } from 'node:crypto';

import { safeEqual } from '@app/crypto';

/** code_challenge_method values (RFC 7636 §4.3), in the order discovery lists them. */
export const PkceMethod = { S256: 'S256', Plain: 'plain' } as const;
export type PkceMethod = (typeof PkceMethod)[keyof typeof PkceMethod];

/** RFC 7636 §4.1 and §4.2: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~". */
const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/;

/** True when `value` has the syntax of a code_verifier or code_challenge. */
export function isPkceValue(value: string): boolean {
  return PKCE_VALUE.test(value);
}

/** RFC 7636 §4.2: an S256 challenge is BASE64URL(SHA-256(verifier)) without padding: 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9\-_]{43}$/;

/**
 * True when `challenge` can be the challenge of some verifier under `method`; any other would
 * issue a code that nothing can redeem.
 */
export function isPkceChallenge(challenge: string, method: PkceMethod): boolean {
  return method === PkceMethod.S256 ? S256_CHALLENGE.test(challenge) : isPkceValue(challenge);
}

export function isPkceMethod(value: string): value is PkceMethod {
  return value === PkceMethod.S256 || value === PkceMethod.Plain;
}

/** RFC 7636 §4.6: the verifier transformed by `method` equals the challenge (constant time). */
export function pkceVerifierMatches(
  verifier: string,
  challenge: string,
  method: PkceMethod,
): boolean {
  if (!isPkceValue(verifier)) return false;
  const derived =
    method === PkceMethod.S256
      ? createHash('sha256').update(verifier, 'ascii').digest('base64url')
      : verifier;
  return safeEqual(derived, challenge);
}
