import { KeyObject } from 'node:crypto';

import { compactDecrypt } from 'jose';

import { OAuthError } from '@app/errors';

import { CompactJwe, parseCompactJwe } from './compact-jwe';
import { cekLength, decryptContent } from './content-encryption';
import { isJweAlg, isJweEnc, isRsaJweAlg, JweHeader } from './jwe-algorithms';
import { unwrapCekRsa15 } from './rsa1-5-key-wrap';
import { deriveSecretKey } from './secret-key';

/** What `decryptJwe` accepts and the keys it may use. */
export interface JweDecryptOptions {
  /** Accepted `alg` values (the metadata's `request_object_encryption_alg_values_supported`). */
  allowedAlgs: readonly string[];
  /** Accepted `enc` values. */
  allowedEncs: readonly string[];
  /** Our `use: enc` RSA key, from `KeyStore.decryptionKey()`. */
  serverKey: { kid: string; privateKey: KeyObject };
  /** The sending client's secret, for A128KW / A256KW. */
  clientSecret?: string | null;
}

/** A decrypted JWE: the UTF-8 plaintext and the protected header. */
export interface JweDecryptResult {
  plaintext: string;
  header: JweHeader;
}

const DESCRIPTION = 'The request object could not be decrypted.';

/**
 * Decrypts a JWE Compact Serialization sent to us (a request object). Every failure, whatever
 * its cause, is the same `invalid_request_object`, so the answer never tells which check failed
 * (RFC 7516 §11.5).
 */
export async function decryptJwe(
  compact: string,
  options: JweDecryptOptions,
): Promise<JweDecryptResult> {
  const jwe = parseCompactJwe(compact);
  const header = jwe && acceptedHeader(jwe.header, options);
  if (!jwe || !header) throw undecryptable('malformed JWE or header not accepted');
  const plaintext = await decryptPayload(compact, jwe, header, options).catch(() => null);
  const text = plaintext && decodeUtf8(plaintext);
  if (text === null) throw undecryptable(`${header.alg} ${header.enc} did not decrypt`);
  return { plaintext: text, header };
}

/**
 * The header when every member is acceptable: alg and enc implemented and allowed (never
 * `dir`), no compression (RFC 8725 §3.6) nor critical extensions, and, for RSA, no `kid` naming
 * a key other than ours. A key derived from a client secret has no kid to compare with.
 */
function acceptedHeader(
  header: Record<string, unknown>,
  options: JweDecryptOptions,
): JweHeader | null {
  const { alg, enc, kid } = header;
  if (!isJweAlg(alg) || !options.allowedAlgs.includes(alg)) return null;
  if (!isJweEnc(enc) || !options.allowedEncs.includes(enc)) return null;
  if (header.zip !== undefined || header.crit !== undefined) return null;
  if (isRsaJweAlg(alg) && kid !== undefined && kid !== options.serverKey.kid) return null;
  return { ...header, alg, enc };
}

/** The plaintext bytes; null or a rejection when the JWE does not decrypt. */
async function decryptPayload(
  compact: string,
  jwe: CompactJwe,
  { alg, enc }: JweHeader,
  options: JweDecryptOptions,
): Promise<Uint8Array | null> {
  const { privateKey } = options.serverKey;
  if (alg === 'RSA1_5') {
    const cek = unwrapCekRsa15(privateKey, jwe.encryptedKey, cekLength(enc));
    return decryptContent(enc, cek, jwe, Buffer.from(jwe.encodedHeader, 'ascii'));
  }
  if (!isRsaJweAlg(alg) && !options.clientSecret) return null;
  const key = isRsaJweAlg(alg) ? privateKey : deriveSecretKey(options.clientSecret ?? '', alg);
  const { plaintext } = await compactDecrypt(compact, key, {
    keyManagementAlgorithms: [alg],
    contentEncryptionAlgorithms: [enc],
    maxDecompressedLength: 0,
  });
  return plaintext;
}

function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

function undecryptable(detail: string): OAuthError {
  return new OAuthError('invalid_request_object', DESCRIPTION, { detail });
}
