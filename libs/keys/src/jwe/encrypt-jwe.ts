import { KeyObject, randomBytes } from 'node:crypto';

import { CompactEncrypt } from 'jose';

import { ClientJwks, selectClientEncryptionKey } from './client-encryption-key';
import { encodeHeader, serializeCompactJwe } from './compact-jwe';
import { cekLength, encryptContent } from './content-encryption';
import {
  DEFAULT_JWE_ENC,
  isJweAlg,
  isJweEnc,
  isRsaJweAlg,
  JweAlg,
  JweEnc,
  JweHeader,
  SecretJweAlg,
} from './jwe-algorithms';
import { wrapCekRsa15 } from './rsa1-5-key-wrap';
import { deriveSecretKey } from './secret-key';

/** What `encryptJwe` needs to encrypt a response (ID token, userinfo) to a client. */
export interface JweEncryptOptions {
  /** The client's `*_encrypted_response_alg`: one of `JweAlgs`. */
  alg: string;
  /** The client's `*_encrypted_response_enc`: one of `JweEncs`; A128CBC-HS256 when unset. */
  enc?: string;
  /** The client's JWKS (`jwks`, or fetched from `jwks_uri`), for the RSA algorithms. */
  jwks?: ClientJwks;
  /** The client secret, for A128KW / A256KW. */
  clientSecret?: string | null;
  /** `'JWT'` when the plaintext is a signed JWT (a nested JWT, RFC 7519 §5.2). */
  contentType?: 'JWT';
}

/**
 * Encrypts `plaintext` (UTF-8) to a client as a JWE Compact Serialization. Throws a plain Error
 * when the alg or enc is not implemented or the client has no usable key or secret: a
 * configuration problem of the client, not of the request.
 */
export async function encryptJwe(plaintext: string, options: JweEncryptOptions): Promise<string> {
  const { alg, enc = DEFAULT_JWE_ENC, contentType } = options;
  if (!isJweAlg(alg)) throw new Error(`JWE alg ${alg} is not supported`);
  if (!isJweEnc(enc)) throw new Error(`JWE enc ${enc} is not supported`);
  const payload = new Uint8Array(Buffer.from(plaintext, 'utf8'));
  if (!isRsaJweAlg(alg)) {
    const header = headerOf(alg, enc, undefined, contentType);
    return encryptWithJose(payload, header, secretKeyOf(alg, options.clientSecret));
  }
  const recipient = selectClientEncryptionKey(options.jwks, alg);
  if (!recipient) throw new Error(`the client has no RSA key with use enc for ${alg}`);
  const header = headerOf(alg, enc, recipient.kid, contentType);
  return alg === 'RSA1_5'
    ? encryptRsa15(payload, header, enc, recipient.publicKey)
    : encryptWithJose(payload, header, recipient.publicKey);
}

function headerOf(alg: JweAlg, enc: JweEnc, kid?: string, cty?: string): JweHeader {
  const header: JweHeader = { alg, enc };
  if (kid !== undefined) header.kid = kid;
  if (cty !== undefined) header.cty = cty;
  return header;
}

function secretKeyOf(alg: SecretJweAlg, clientSecret: string | null | undefined): Uint8Array {
  if (!clientSecret) throw new Error(`${alg} needs the client secret`);
  return deriveSecretKey(clientSecret, alg);
}

function encryptWithJose(
  payload: Uint8Array,
  header: JweHeader,
  key: KeyObject | Uint8Array,
): Promise<string> {
  return new CompactEncrypt(payload).setProtectedHeader(header).encrypt(key);
}

/** RFC 7516 §5.1 by hand: jose 6 no longer implements RSA1_5. */
function encryptRsa15(payload: Uint8Array, header: JweHeader, enc: JweEnc, key: KeyObject): string {
  const cek = randomBytes(cekLength(enc));
  const encodedHeader = encodeHeader(header);
  const content = encryptContent(enc, cek, payload, Buffer.from(encodedHeader, 'ascii'));
  return serializeCompactJwe(encodedHeader, wrapCekRsa15(key, cek), content);
}
