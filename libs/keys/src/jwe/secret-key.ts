import { createHash } from 'node:crypto';

import { SecretJweAlg } from './jwe-algorithms';

const KEY_BYTES: Record<SecretJweAlg, number> = { A128KW: 16, A256KW: 32 };

/**
 * OpenID Connect Core §10.2: the key-wrapping key for A128KW / A256KW is the left-most 128 /
 * 256 bits of SHA-256 over the UTF-8 octets of the client secret.
 */
export function deriveSecretKey(secret: string, alg: SecretJweAlg): Uint8Array {
  const digest = createHash('sha256').update(secret, 'utf8').digest();
  // A plain Uint8Array: jose checks key types with instanceof, and Buffer may be another realm's.
  return new Uint8Array(digest.subarray(0, KEY_BYTES[alg]));
}
