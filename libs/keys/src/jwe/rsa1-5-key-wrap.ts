import { constants, KeyObject, privateDecrypt, publicEncrypt, randomBytes } from 'node:crypto';

/** RFC 8017 §7.2.1: 0x00 || 0x02 || PS (8+ non-zero bytes) || 0x00 || M. */
const MIN_PADDING_STRING_BYTES = 8;
const PADDING_OVERHEAD_BYTES = 3 + MIN_PADDING_STRING_BYTES;

/** RFC 7518 §4.2: the content encryption key encrypted with RSAES-PKCS1-v1_5. */
export function wrapCekRsa15(publicKey: KeyObject, cek: Uint8Array): Buffer {
  return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, cek);
}

/**
 * RFC 7518 §4.2 without a padding oracle (RFC 7516 §11.5, RFC 3218 §2.3.2): returns the
 * content encryption key when the block decrypts to valid type-2 padding around exactly
 * `cekLength` bytes, and otherwise a random key of that length, without throwing and without
 * branching on the decrypted bytes. A bad block therefore fails later, as the content's
 * authentication tag, exactly like a tampered ciphertext.
 */
export function unwrapCekRsa15(
  privateKey: KeyObject,
  encryptedKey: Uint8Array,
  cekLength: number,
): Buffer {
  const modulusBytes = rsaModulusBytes(privateKey);
  if (cekLength < 1 || cekLength > modulusBytes - PADDING_OVERHEAD_BYTES) {
    throw new Error(`a ${cekLength}-byte key cannot be carried by RSA1_5 with this key`);
  }
  const substitute = randomBytes(cekLength);
  const block = decryptRaw(privateKey, encryptedKey, modulusBytes);
  const encoded = block ?? Buffer.alloc(modulusBytes);
  const isValid = (block === null ? 0 : 1) & hasType2Padding(encoded, cekLength);
  return selectBytes(isValid, encoded.subarray(modulusBytes - cekLength), substitute);
}

/**
 * m = c^d mod n, no padding removed: Node 20 refuses RSA_PKCS1_PADDING for private decryption
 * (CVE-2023-46809) but allows RSA_NO_PADDING. Null only for what the sender already knows: a
 * block that is not exactly the modulus length, or not below the modulus.
 */
function decryptRaw(
  privateKey: KeyObject,
  encryptedKey: Uint8Array,
  modulusBytes: number,
): Buffer | null {
  if (encryptedKey.length !== modulusBytes) return null;
  let raw: Buffer;
  try {
    raw = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, encryptedKey);
  } catch {
    return null;
  }
  // OpenSSL returns the full modulus length; right-align without looking at the bytes anyway.
  const block = Buffer.alloc(modulusBytes);
  raw.copy(block, modulusBytes - raw.length);
  return block;
}

/**
 * 1 when `encoded` is 0x00 0x02, then 8+ non-zero bytes, then 0x00, then exactly
 * `messageLength` bytes; else 0. Reads every byte and branches on none of them.
 */
export function hasType2Padding(encoded: Uint8Array, messageLength: number): number {
  let isValid = isZero(encoded[0]) & isZero(encoded[1] ^ 0x02);
  let isSeeking = 1;
  let separatorIndex = 0;
  for (let i = 2; i < encoded.length; i += 1) {
    const isSeparator = isSeeking & isZero(encoded[i]);
    separatorIndex = select(isSeparator, i, separatorIndex);
    isSeeking &= isSeparator ^ 1;
  }
  isValid &= isSeeking ^ 1;
  isValid &= isAtLeast(separatorIndex, 2 + MIN_PADDING_STRING_BYTES);
  isValid &= isZero((encoded.length - separatorIndex - 1) ^ messageLength);
  return isValid;
}

/** 1 when x is 0, else 0; x in [0, 2^31). */
function isZero(x: number): number {
  return (x - 1) >>> 31;
}

/** 1 when a >= b, else 0; a and b in [0, 2^30). */
function isAtLeast(a: number, b: number): number {
  return ((a - b) >>> 31) ^ 1;
}

/** a when flag is 1, b when flag is 0. */
function select(flag: number, a: number, b: number): number {
  const mask = -flag;
  return (a & mask) | (b & ~mask);
}

/** A copy of a when flag is 1, of b when flag is 0, touching every byte of both. */
function selectBytes(flag: number, a: Uint8Array, b: Uint8Array): Buffer {
  const mask = -flag & 0xff;
  const out = Buffer.alloc(b.length);
  for (let i = 0; i < out.length; i += 1) out[i] = (a[i] & mask) | (b[i] & ~mask & 0xff);
  return out;
}

function rsaModulusBytes(key: KeyObject): number {
  const details = key.asymmetricKeyType === 'rsa' ? key.asymmetricKeyDetails : undefined;
  if (!details?.modulusLength) throw new Error('RSA1_5 needs an RSA key');
  return Math.ceil(details.modulusLength / 8);
}
