/**
 * JWE "alg" values we implement (RFC 7518 §4). `dir` is deliberately absent: a client could then
 * choose our content key, and nothing in the OpenID Connect metadata can register one.
 */
export const JweAlgs = ['RSA-OAEP', 'RSA-OAEP-256', 'RSA1_5', 'A128KW', 'A256KW'] as const;
export type JweAlg = (typeof JweAlgs)[number];

/** The key management algorithms that encrypt the content key to an RSA key. */
export type RsaJweAlg = Extract<JweAlg, 'RSA-OAEP' | 'RSA-OAEP-256' | 'RSA1_5'>;

/** The key management algorithms that wrap the content key with a key from the client secret. */
export type SecretJweAlg = Extract<JweAlg, 'A128KW' | 'A256KW'>;

/** JWE "enc" values we implement (RFC 7518 §5.2, §5.3). */
export const JweEncs = ['A128CBC-HS256', 'A256CBC-HS512', 'A128GCM', 'A256GCM'] as const;
export type JweEnc = (typeof JweEncs)[number];

/** OpenID Connect Registration §2: the `enc` when a client registered only an `alg`. */
export const DEFAULT_JWE_ENC: JweEnc = 'A128CBC-HS256';

/** The protected header of a JWE we produce or accept. */
export interface JweHeader {
  alg: JweAlg;
  enc: JweEnc;
  kid?: string;
  cty?: string;
  [name: string]: unknown;
}

export function isJweAlg(value: unknown): value is JweAlg {
  return (JweAlgs as readonly unknown[]).includes(value);
}

export function isJweEnc(value: unknown): value is JweEnc {
  return (JweEncs as readonly unknown[]).includes(value);
}

export function isRsaJweAlg(alg: JweAlg): alg is RsaJweAlg {
  return alg === 'RSA-OAEP' || alg === 'RSA-OAEP-256' || alg === 'RSA1_5';
}
