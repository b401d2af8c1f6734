import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

import { JweEnc } from './jwe-algorithms';

/** The three JWE parts content encryption produces. */
export interface EncryptedContent {
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

interface CbcHmac {
  kind: 'cbc-hmac';
  keyBytes: number;
  cipher: 'aes-128-cbc' | 'aes-256-cbc';
  hash: 'sha256' | 'sha512';
}

interface Gcm {
  kind: 'gcm';
  keyBytes: number;
  cipher: 'aes-128-gcm' | 'aes-256-gcm';
}

const CBC_IV_BYTES = 16;
const GCM_IV_BYTES = 12;
const GCM_TAG_BYTES = 16;

/** RFC 7518 §5.2.3, §5.2.5 and §5.3. */
const ALGORITHMS: Record<JweEnc, CbcHmac | Gcm> = {
  'A128CBC-HS256': { kind: 'cbc-hmac', keyBytes: 32, cipher: 'aes-128-cbc', hash: 'sha256' },
  'A256CBC-HS512': { kind: 'cbc-hmac', keyBytes: 64, cipher: 'aes-256-cbc', hash: 'sha512' },
  A128GCM: { kind: 'gcm', keyBytes: 16, cipher: 'aes-128-gcm' },
  A256GCM: { kind: 'gcm', keyBytes: 32, cipher: 'aes-256-gcm' },
};

/** The content encryption key length `enc` requires, in bytes. */
export function cekLength(enc: JweEnc): number {
  return ALGORITHMS[enc].keyBytes;
}

/** Encrypts `plaintext` with a fresh IV; `aad` is the ASCII of the encoded protected header. */
export function encryptContent(
  enc: JweEnc,
  cek: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): EncryptedContent {
  const algorithm = ALGORITHMS[enc];
  requireKeyLength(algorithm, cek);
  return algorithm.kind === 'gcm'
    ? encryptGcm(algorithm, cek, plaintext, aad)
    : encryptCbcHmac(algorithm, cek, plaintext, aad);
}

/** The plaintext, or null when the tag does not authenticate (or the parts are malformed). */
export function decryptContent(
  enc: JweEnc,
  cek: Uint8Array,
  content: EncryptedContent,
  aad: Uint8Array,
): Buffer | null {
  const algorithm = ALGORITHMS[enc];
  requireKeyLength(algorithm, cek);
  return algorithm.kind === 'gcm'
    ? decryptGcm(algorithm, cek, content, aad)
    : decryptCbcHmac(algorithm, cek, content, aad);
}

/** RFC 7518 §5.2.2.1. */
function encryptCbcHmac(
  algorithm: CbcHmac,
  cek: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): EncryptedContent {
  const { macKey, encKey } = splitCbcHmacKey(cek);
  const iv = randomBytes(CBC_IV_BYTES);
  const cipher = createCipheriv(algorithm.cipher, encKey, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: cbcHmacTag(algorithm, macKey, aad, iv, ciphertext) };
}

/** RFC 7518 §5.2.2.2: the tag is checked first, so the CBC padding is never an oracle. */
function decryptCbcHmac(
  algorithm: CbcHmac,
  cek: Uint8Array,
  content: EncryptedContent,
  aad: Uint8Array,
): Buffer | null {
  const { macKey, encKey } = splitCbcHmacKey(cek);
  if (content.iv.length !== CBC_IV_BYTES) return null;
  const expected = cbcHmacTag(algorithm, macKey, aad, content.iv, content.ciphertext);
  if (content.tag.length !== expected.length) return null;
  if (!timingSafeEqual(content.tag, expected)) return null;
  try {
    const decipher = createDecipheriv(algorithm.cipher, encKey, content.iv);
    return Buffer.concat([decipher.update(content.ciphertext), decipher.final()]);
  } catch {
    return null;
  }
}

/** RFC 7518 §5.2.2.1 steps 5-6: HMAC over AAD || IV || ciphertext || AL, first half kept. */
function cbcHmacTag(
  algorithm: CbcHmac,
  macKey: Uint8Array,
  aad: Uint8Array,
  iv: Uint8Array,
  ciphertext: Uint8Array,
): Buffer {
  const aadBits = Buffer.alloc(8);
  aadBits.writeBigUInt64BE(BigInt(aad.length) * 8n);
  const mac = createHmac(algorithm.hash, macKey)
    .update(aad)
    .update(iv)
    .update(ciphertext)
    .update(aadBits)
    .digest();
  return mac.subarray(0, macKey.length);
}

/** RFC 7518 §5.2.2.1: MAC_KEY is the first half of the key, ENC_KEY the second. */
function splitCbcHmacKey(cek: Uint8Array): { macKey: Uint8Array; encKey: Uint8Array } {
  const half = cek.length / 2;
  return { macKey: cek.subarray(0, half), encKey: cek.subarray(half) };
}

function encryptGcm(
  algorithm: Gcm,
  cek: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): EncryptedContent {
  const iv = randomBytes(GCM_IV_BYTES);
  const cipher = createCipheriv(algorithm.cipher, cek, iv, { authTagLength: GCM_TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

/** RFC 7518 §5.3: a 96-bit IV and a 128-bit tag (node alone would accept a truncated tag). */
function decryptGcm(
  algorithm: Gcm,
  cek: Uint8Array,
  content: EncryptedContent,
  aad: Uint8Array,
): Buffer | null {
  if (content.iv.length !== GCM_IV_BYTES || content.tag.length !== GCM_TAG_BYTES) return null;
  try {
    const options = { authTagLength: GCM_TAG_BYTES };
    const decipher = createDecipheriv(algorithm.cipher, cek, content.iv, options);
    decipher.setAAD(aad);
    decipher.setAuthTag(content.tag);
    return Buffer.concat([decipher.update(content.ciphertext), decipher.final()]);
  } catch {
    return null;
  }
}

function requireKeyLength(algorithm: CbcHmac | Gcm, cek: Uint8Array): void {
  if (cek.length !== algorithm.keyBytes) {
    throw new Error(`content encryption key must be ${algorithm.keyBytes} bytes`);
  }
}
