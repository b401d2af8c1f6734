import {
  constants,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';

import { hasType2Padding, unwrapCekRsa15, wrapCekRsa15 } from './rsa1-5-key-wrap';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const MODULUS_BYTES = 256;

/** The modulus-long encoding 0x00 0x02 PS 0x00 M (PS non-zero); either leading byte replaceable. */
function type2Block(message: Buffer, overrides: { first?: number; second?: number } = {}): Buffer {
  const paddingLength = MODULUS_BYTES - 3 - message.length;
  const padding = Buffer.from(Array.from({ length: paddingLength }, (_, i) => (i % 255) + 1));
  const leading = Buffer.from([overrides.first ?? 0, overrides.second ?? 2]);
  return Buffer.concat([leading, padding, Buffer.from([0]), message]);
}

/** Raw RSA encryption of an already encoded block, so the test chooses the padding. */
function encryptRaw(block: Buffer): Buffer {
  return publicEncrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, block);
}

/** Test-only PKCS#1 v1.5 type-2 parse, written plainly (no constant-time concerns). */
function parseType2Strictly(block: Buffer): Buffer | null {
  if (block[0] !== 0 || block[1] !== 2) return null;
  const separator = block.indexOf(0, 2);
  if (separator < 10) return null;
  return block.subarray(separator + 1);
}

describe(unwrapCekRsa15.name, () => {
  const sut = unwrapCekRsa15;

  it('returns the key wrapCekRsa15 wrapped', () => {
    const cek = randomBytes(32);

    expect(sut(privateKey, wrapCekRsa15(publicKey, cek), 32)).toEqual(cek);
  });

  it('returns the key of a block padded by hand with exactly eight padding bytes', () => {
    const cek = randomBytes(MODULUS_BYTES - 11);

    expect(sut(privateKey, encryptRaw(type2Block(cek)), cek.length)).toEqual(cek);
  });

  it('returns a random key of the requested length for random bytes instead of throwing', () => {
    const block = Buffer.concat([Buffer.from([0]), randomBytes(MODULUS_BYTES - 1)]);

    const cek = sut(privateKey, block, 32);

    expect(cek).toHaveLength(32);
  });

  it('returns a random key of the requested length for block type 1 instead of throwing', () => {
    const embedded = randomBytes(32);
    const block = encryptRaw(type2Block(embedded, { second: 1 }));

    const cek = sut(privateKey, block, 32);

    expect(cek).toHaveLength(32);
    expect(cek).not.toEqual(embedded);
  });

  it('returns a different random key each time for the same bad block', () => {
    const block = encryptRaw(type2Block(randomBytes(32), { first: 1 }));

    expect(sut(privateKey, block, 32)).not.toEqual(sut(privateKey, block, 32));
  });

  it('returns a random key when valid padding carries a key of another length', () => {
    const embedded = randomBytes(16);
    const block = wrapCekRsa15(publicKey, embedded);

    const cek = sut(privateKey, block, 32);

    expect(cek).toHaveLength(32);
    expect(cek.subarray(0, 16)).not.toEqual(embedded);
    expect(cek.subarray(16)).not.toEqual(embedded);
  });

  it('returns a random key for a block wrapped to another RSA key', () => {
    const embedded = randomBytes(32);

    const cek = sut(privateKey, wrapCekRsa15(other.publicKey, embedded), 32);

    expect(cek).toHaveLength(32);
    expect(cek).not.toEqual(embedded);
  });

  it('returns a random key for a block shorter than the modulus', () => {
    const block = wrapCekRsa15(publicKey, randomBytes(32)).subarray(1);

    expect(sut(privateKey, block, 32)).toHaveLength(32);
  });

  it('returns a random key for a block longer than the modulus', () => {
    const block = Buffer.concat([Buffer.from([0]), wrapCekRsa15(publicKey, randomBytes(32))]);

    expect(sut(privateKey, block, 32)).toHaveLength(32);
  });

  it('returns a random key for a block not below the modulus', () => {
    expect(sut(privateKey, Buffer.alloc(MODULUS_BYTES, 0xff), 32)).toHaveLength(32);
  });

  it('returns a random key for an empty block', () => {
    expect(sut(privateKey, Buffer.alloc(0), 64)).toHaveLength(64);
  });

  it('throws for a key length the modulus cannot carry', () => {
    const block = wrapCekRsa15(publicKey, randomBytes(32));

    expect(() => sut(privateKey, block, MODULUS_BYTES - 10)).toThrow(Error);
  });
});

describe(wrapCekRsa15.name, () => {
  const sut = wrapCekRsa15;

  it('produces a block of the modulus length that plain PKCS#1 v1.5 decryption recovers', () => {
    const cek = randomBytes(64);

    const block = sut(publicKey, cek);
    const raw = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, block);

    expect(block).toHaveLength(MODULUS_BYTES);
    expect(parseType2Strictly(raw)).toEqual(cek);
  });

  it('pads randomly, so the same key never wraps to the same block', () => {
    const cek = randomBytes(32);

    expect(sut(publicKey, cek)).not.toEqual(sut(publicKey, cek));
  });
});

describe(hasType2Padding.name, () => {
  const sut = hasType2Padding;
  const message = Buffer.alloc(32, 0x5a);

  it('accepts 0x00 0x02, non-zero padding, 0x00 and a message of the expected length', () => {
    expect(sut(type2Block(message), 32)).toBe(1);
  });

  it('accepts a message that starts with zero bytes', () => {
    expect(sut(type2Block(Buffer.concat([Buffer.alloc(2), message.subarray(2)])), 32)).toBe(1);
  });

  it('refuses a first byte other than 0x00', () => {
    expect(sut(type2Block(message, { first: 1 }), 32)).toBe(0);
  });

  it('refuses a block type other than 0x02', () => {
    expect(sut(type2Block(message, { second: 1 }), 32)).toBe(0);
  });

  it('refuses a message of another length', () => {
    expect(sut(type2Block(message), 31)).toBe(0);
  });

  it('refuses a padding string shorter than eight bytes', () => {
    const block = type2Block(Buffer.alloc(MODULUS_BYTES - 10, 0x5a));

    expect(sut(block, MODULUS_BYTES - 10)).toBe(0);
  });

  it('refuses a block without the zero separator', () => {
    const block = Buffer.concat([Buffer.from([0, 2]), Buffer.alloc(MODULUS_BYTES - 2, 0x5a)]);

    expect(sut(block, 32)).toBe(0);
  });

  it('takes the first zero byte as the separator, so a zero in the padding shortens it', () => {
    const block = type2Block(message);
    block[100] = 0;

    expect(sut(block, 32)).toBe(0);
  });

  it('refuses an all-zero block', () => {
    expect(sut(Buffer.alloc(MODULUS_BYTES), 32)).toBe(0);
  });
});
