import { randomBytes } from 'node:crypto';

import { CompactEncrypt, compactDecrypt } from 'jose';

import { cekLength, decryptContent, EncryptedContent, encryptContent } from './content-encryption';
import { JweEnc, JweEncs } from './jwe-algorithms';

const PLAINTEXT = Buffer.from('{"sub":"alice","email":"alice@example.com"}', 'utf8');
const AAD = Buffer.from('eyJhbGciOiJkaXIifQ', 'ascii');

/** RFC 7518 Appendix B.1 (AES_128_CBC_HMAC_SHA_256). */
const RFC7518_B1 = {
  key: Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex'),
  plaintext: Buffer.from(
    'A cipher system must not be required to be secret, and it must be able to fall into ' +
      'the hands of the enemy without inconvenience',
    'ascii',
  ),
  aad: Buffer.from('The second principle of Auguste Kerckhoffs', 'ascii'),
  iv: Buffer.from('1af38c2dc2b96ffdd86694092341bc04', 'hex'),
  ciphertext: Buffer.from(
    'c80edfa32ddf39d5ef00c0b468834279a2e46a1b8049f792f76bfe54b903a9c9' +
      'a94ac9b47ad2655c5f10f9aef71427e2fc6f9b3f399a221489f16362c7032336' +
      '09d45ac69864e3321cf82935ac4096c86e133314c54019e8ca7980dfa4b9cf1b' +
      '384c486f3a54c51078158ee5d79de59fbd34d848b3d69550a67646344427ade5' +
      '4b8851ffb598f7f80074b9473c82e2db',
    'hex',
  ),
  tag: Buffer.from('652c3fa36b0a7c5b3219fab3a30bc1c4', 'hex'),
};

function flipFirstBit(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  copy[0] ^= 1;
  return copy;
}

describe(decryptContent.name, () => {
  const sut = decryptContent;

  it('decrypts the RFC 7518 Appendix B.1 test case', () => {
    const { key, iv, ciphertext, tag, aad } = RFC7518_B1;

    const plaintext = sut('A128CBC-HS256', key, { iv, ciphertext, tag }, aad);

    expect(plaintext).toEqual(RFC7518_B1.plaintext);
  });

  it.each(JweEncs)('decrypts what encryptContent produced with %s', (enc) => {
    const cek = randomBytes(cekLength(enc));
    const content = encryptContent(enc, cek, PLAINTEXT, AAD);

    expect(sut(enc, cek, content, AAD)).toEqual(PLAINTEXT);
  });

  it.each(JweEncs)('decrypts what jose encrypted with dir and %s', async (enc) => {
    const cek = new Uint8Array(randomBytes(cekLength(enc)));
    const jwe = await new CompactEncrypt(new Uint8Array(PLAINTEXT))
      .setProtectedHeader({ alg: 'dir', enc })
      .encrypt(cek);
    const [header, , iv, ciphertext, tag] = jwe.split('.');
    const content = { iv: b64(iv), ciphertext: b64(ciphertext), tag: b64(tag) };

    expect(sut(enc, cek, content, Buffer.from(header, 'ascii'))).toEqual(PLAINTEXT);
  });

  type Tamper = (content: EncryptedContent, aad: Buffer) => [EncryptedContent, Buffer];
  const tampers: [string, Tamper][] = [
    ['a flipped ciphertext bit', (c, a) => [{ ...c, ciphertext: flipFirstBit(c.ciphertext) }, a]],
    ['a flipped tag bit', (c, a) => [{ ...c, tag: flipFirstBit(c.tag) }, a]],
    ['a flipped IV bit', (c, a) => [{ ...c, iv: flipFirstBit(c.iv) }, a]],
    ['altered additional authenticated data', (c, a) => [c, flipFirstBit(a)]],
    ['a truncated tag', (c, a) => [{ ...c, tag: c.tag.subarray(0, c.tag.length - 1) }, a]],
    ['an empty tag', (c, a) => [{ ...c, tag: Buffer.alloc(0) }, a]],
  ];
  const tamperCases = JweEncs.flatMap((enc) =>
    tampers.map(([name, tamper]) => [enc, name, tamper] as const),
  );

  it.each(tamperCases)('returns null for %s content with %s', (enc, _name, tamper) => {
    const cek = randomBytes(cekLength(enc));
    const [content, aad] = tamper(encryptContent(enc, cek, PLAINTEXT, AAD), AAD);

    expect(sut(enc, cek, content, aad)).toBeNull();
  });

  it.each(JweEncs)('returns null for %s content under another key', (enc) => {
    const content = encryptContent(enc, randomBytes(cekLength(enc)), PLAINTEXT, AAD);

    expect(sut(enc, randomBytes(cekLength(enc)), content, AAD)).toBeNull();
  });

  it('throws for a key of the wrong length', () => {
    const content = encryptContent('A128CBC-HS256', randomBytes(32), PLAINTEXT, AAD);

    expect(() => sut('A128CBC-HS256', randomBytes(16), content, AAD)).toThrow(Error);
  });
});

describe(encryptContent.name, () => {
  const sut = encryptContent;

  it.each(JweEncs)('produces %s content that jose decrypts with dir', async (enc: JweEnc) => {
    const cek = randomBytes(cekLength(enc));
    const header = Buffer.from(JSON.stringify({ alg: 'dir', enc })).toString('base64url');
    const content = sut(enc, cek, PLAINTEXT, Buffer.from(header, 'ascii'));
    const compact = [header, '', content.iv, content.ciphertext, content.tag]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');

    const { plaintext } = await compactDecrypt(compact, new Uint8Array(cek), {
      keyManagementAlgorithms: ['dir'],
    });

    expect(Buffer.from(plaintext)).toEqual(PLAINTEXT);
  });

  it('uses a fresh IV every time', () => {
    const cek = randomBytes(32);

    const first = sut('A128CBC-HS256', cek, PLAINTEXT, AAD);
    const second = sut('A128CBC-HS256', cek, PLAINTEXT, AAD);

    expect(first.iv).not.toEqual(second.iv);
  });

  it.each([
    ['A128CBC-HS256', 32],
    ['A256CBC-HS512', 64],
    ['A128GCM', 16],
    ['A256GCM', 32],
  ] as const)('requires a %s key of %i bytes', (enc, bytes) => {
    expect(cekLength(enc)).toBe(bytes);
  });
});

function b64(part: string): Buffer {
  return Buffer.from(part, 'base64url');
}
