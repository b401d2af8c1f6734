import { createPublicKey } from 'node:crypto';

/** CONTRACT §4: client RSA keys, inline or fetched, have at least 2048 bits (RFC 7518 §3.3). */
export const MIN_RSA_MODULUS_BITS = 2048;

/** The modulus length of an RSA JWK's public part, or null when `n` and `e` are not a key. */
export function rsaModulusBits(jwk: Readonly<Record<string, unknown>>): number | null {
  if (typeof jwk.n !== 'string' || typeof jwk.e !== 'string') return null;
  try {
    const key = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' });
    return key.asymmetricKeyDetails?.modulusLength ?? null;
  } catch {
    return null;
  }
}

/** False for an RSA JWK that is not a key or is shorter than MIN_RSA_MODULUS_BITS; true for other key types. */
export function isUsableKeySize(jwk: Readonly<Record<string, unknown>>): boolean {
  if (jwk.kty !== 'RSA') return true;
  return (rsaModulusBits(jwk) ?? 0) >= MIN_RSA_MODULUS_BITS;
}
