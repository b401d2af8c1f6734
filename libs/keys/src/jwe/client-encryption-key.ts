import { createPublicKey, KeyObject } from 'node:crypto';

import { RsaJweAlg } from './jwe-algorithms';

/** A JWKS as a client registers it (`jwks`, or the document at `jwks_uri`). */
export interface ClientJwks {
  keys: readonly Record<string, unknown>[];
}

/** The client's key that a JWE to it is encrypted with. */
export interface ClientEncryptionKey {
  publicKey: KeyObject;
  kid?: string;
}

/** jose refuses smaller RSA keys for RSA-OAEP; RSA1_5 keeps the same floor. */
const MIN_MODULUS_BITS = 2048;

/**
 * The client's RSA key for encrypting to it with `alg`: `kty` RSA, `use` `enc` or absent, `alg`
 * absent or equal, `key_ops` absent or allowing key wrapping, 2048 bits or more. A key with a
 * `kid` wins over one without. Null when the JWKS holds no such key.
 */
export function selectClientEncryptionKey(
  jwks: ClientJwks | undefined,
  alg: RsaJweAlg,
): ClientEncryptionKey | null {
  const candidates = (jwks?.keys ?? []).filter((jwk) => isEncryptionKeyFor(jwk, alg));
  const named = candidates.filter(hasKid);
  for (const jwk of [...named, ...candidates.filter((jwk) => !hasKid(jwk))]) {
    const publicKey = importRsaPublicKey(jwk);
    if (publicKey) return hasKid(jwk) ? { publicKey, kid: jwk.kid } : { publicKey };
  }
  return null;
}

function isEncryptionKeyFor(jwk: Record<string, unknown>, alg: RsaJweAlg): boolean {
  return (
    jwk.kty === 'RSA' &&
    (jwk.use === undefined || jwk.use === 'enc') &&
    (jwk.alg === undefined || jwk.alg === alg) &&
    (jwk.key_ops === undefined || allowsKeyWrapping(jwk.key_ops))
  );
}

/** RFC 7517 §4.3. */
function allowsKeyWrapping(keyOps: unknown): boolean {
  return Array.isArray(keyOps) && (keyOps.includes('wrapKey') || keyOps.includes('encrypt'));
}

function hasKid(jwk: Record<string, unknown>): jwk is Record<string, unknown> & { kid: string } {
  return typeof jwk.kid === 'string' && jwk.kid !== '';
}

/** Only the public members are read: a JWK that carelessly carries `d` is still used as public. */
function importRsaPublicKey(jwk: Record<string, unknown>): KeyObject | null {
  if (typeof jwk.n !== 'string' || typeof jwk.e !== 'string') return null;
  try {
    const key = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' });
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    return bits >= MIN_MODULUS_BITS ? key : null;
  } catch {
    return null;
  }
}
