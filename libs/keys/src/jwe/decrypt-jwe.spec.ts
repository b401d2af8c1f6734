import {
  constants,
  createCipheriv,
  createHash,
  createHmac,
  generateKeyPairSync,
  KeyObject,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';

import { CompactEncrypt } from 'jose';

import { OAuthError } from '@app/errors';

import { decryptJwe, JweDecryptOptions } from './decrypt-jwe';
import { encryptJwe } from './encrypt-jwe';
import { JweAlgs, JweEnc, JweEncs } from './jwe-algorithms';

const server = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const SERVER_KID = 'server-enc-1';
const MODULUS_BYTES = 256;
const clientSecret = 'a-client-secret-of-sufficient-length-0123456789';
const PLAINTEXT = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJjbGllbnQtMSIsImF1ZCI6Imlzc3VlciJ9.c2lnbmF0dXJl';

const options: JweDecryptOptions = {
  allowedAlgs: JweAlgs,
  allowedEncs: JweEncs,
  serverKey: { kid: SERVER_KID, privateKey: server.privateKey },
  clientSecret,
};

const CEK_BYTES: Record<JweEnc, number> = {
  'A128CBC-HS256': 32,
  'A256CBC-HS512': 64,
  A128GCM: 16,
  A256GCM: 32,
};

/** OpenID Connect Core §10.2, computed here rather than by the code under test. */
function secretKey(bytes: 16 | 32, secret = clientSecret): Uint8Array {
  return new Uint8Array(createHash('sha256').update(secret).digest().subarray(0, bytes));
}

function joseKeyFor(alg: string): KeyObject | Uint8Array {
  if (alg === 'A128KW') return secretKey(16);
  if (alg === 'A256KW') return secretKey(32);
  return server.publicKey;
}

interface TestHeader {
  alg: string;
  enc: string;
  [name: string]: unknown;
}

async function joseJwe(header: TestHeader, key = joseKeyFor(header.alg)): Promise<string> {
  const payload = new TextEncoder().encode(PLAINTEXT);
  return new CompactEncrypt(payload).setProtectedHeader(header).encrypt(key);
}

interface Rsa15Input {
  enc?: JweEnc;
  header?: Record<string, unknown>;
  plaintext?: Buffer;
  /** The RSA block to send instead of the content key wrapped to `publicKey`. */
  encryptedKey?: Buffer;
  publicKey?: KeyObject;
}

/** Test-only RSA1_5 JWE producer: publicEncrypt for the key, node:crypto for the content. */
function rsa15Jwe(input: Rsa15Input = {}): string {
  const enc = input.enc ?? 'A128CBC-HS256';
  const headerJson = JSON.stringify({ alg: 'RSA1_5', enc, ...input.header });
  const header = Buffer.from(headerJson).toString('base64url');
  const cek = randomBytes(CEK_BYTES[enc]);
  const padding = constants.RSA_PKCS1_PADDING;
  const encryptedKey =
    input.encryptedKey ?? publicEncrypt({ key: input.publicKey ?? server.publicKey, padding }, cek);
  const plaintext = input.plaintext ?? Buffer.from(PLAINTEXT);
  const { iv, ciphertext, tag } = encryptContentInTest(enc, cek, plaintext, Buffer.from(header));
  const binaryParts = [encryptedKey, iv, ciphertext, tag];
  return [header, ...binaryParts.map((part) => part.toString('base64url'))].join('.');
}

/** Test-only content encryption (RFC 7518 §5.2.2.1 and §5.3) with node:crypto. */
function encryptContentInTest(
  enc: JweEnc,
  cek: Buffer,
  plaintext: Buffer,
  aad: Buffer,
): { iv: Buffer; ciphertext: Buffer; tag: Buffer } {
  if (enc === 'A128GCM' || enc === 'A256GCM') {
    const iv = randomBytes(12);
    const cipher = createCipheriv(enc === 'A128GCM' ? 'aes-128-gcm' : 'aes-256-gcm', cek, iv);
    cipher.setAAD(aad);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { iv, ciphertext, tag: cipher.getAuthTag() };
  }
  const half = cek.length / 2;
  const iv = randomBytes(16);
  const aes = enc === 'A128CBC-HS256' ? 'aes-128-cbc' : 'aes-256-cbc';
  const cipher = createCipheriv(aes, cek.subarray(half), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const al = Buffer.alloc(8);
  al.writeBigUInt64BE(BigInt(aad.length * 8));
  const hmac = createHmac(enc === 'A128CBC-HS256' ? 'sha256' : 'sha512', cek.subarray(0, half));
  const mac = hmac.update(Buffer.concat([aad, iv, ciphertext, al])).digest();
  return { iv, ciphertext, tag: mac.subarray(0, half) };
}

/** Raw RSA over a block the test encodes itself, so it can carry any padding. */
function rawRsaBlock(encoded: Buffer): Buffer {
  return publicEncrypt({ key: server.publicKey, padding: constants.RSA_NO_PADDING }, encoded);
}

function type2Encoded(message: Buffer, blockType = 2): Buffer {
  const padding = Buffer.alloc(MODULUS_BYTES - 3 - message.length, 0x77);
  return Buffer.concat([Buffer.from([0, blockType]), padding, Buffer.from([0]), message]);
}

/** The compact JWE with one of its five parts changed. */
function withPart(jwe: string, index: number, change: (part: string) => string): string {
  const parts = jwe.split('.');
  parts[index] = change(parts[index]);
  return parts.join('.');
}

function flipFirstBit(part: string): string {
  const bytes = Buffer.from(part, 'base64url');
  bytes[0] ^= 1;
  return bytes.toString('base64url');
}

function dropFirstByte(part: string): string {
  return Buffer.from(part, 'base64url').subarray(1).toString('base64url');
}

function addHeaderMember(part: string): string {
  const json = Buffer.from(part, 'base64url').toString('utf8');
  const header = JSON.parse(json) as Record<string, unknown>;
  return Buffer.from(JSON.stringify({ ...header, x: 1 })).toString('base64url');
}

async function rejection(promise: Promise<unknown>): Promise<OAuthError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof OAuthError)) throw new Error(`expected an OAuthError: ${String(error)}`);
  return error;
}

const joseCases = (['RSA-OAEP', 'RSA-OAEP-256', 'A128KW', 'A256KW'] as const).flatMap((alg) =>
  JweEncs.map((enc) => [alg, enc] as const),
);

describe(decryptJwe.name, () => {
  const sut = decryptJwe;

  describe('accepts', () => {
    it.each(joseCases)('%s / %s produced by jose', async (alg, enc) => {
      const jwe = await joseJwe({ alg, enc });

      const result = await sut(jwe, options);

      expect(result.plaintext).toBe(PLAINTEXT);
      expect(result.header).toEqual({ alg, enc });
    });

    it.each(JweEncs)('RSA1_5 / %s produced with publicEncrypt', async (enc) => {
      const result = await sut(rsa15Jwe({ enc }), options);

      expect(result.plaintext).toBe(PLAINTEXT);
      expect(result.header).toEqual({ alg: 'RSA1_5', enc });
    });

    it.each(JweAlgs.flatMap((alg) => JweEncs.map((enc) => [alg, enc] as const)))(
      '%s / %s produced by encryptJwe',
      async (alg, enc) => {
        const publicJwk = server.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
        const jwks = { keys: [{ ...publicJwk, kid: SERVER_KID, use: 'enc' }] };
        const encryptOptions = { alg, enc, jwks, clientSecret, contentType: 'JWT' as const };
        const jwe = await encryptJwe(PLAINTEXT, encryptOptions);

        const result = await sut(jwe, options);

        expect(result.plaintext).toBe(PLAINTEXT);
        expect(result.header.cty).toBe('JWT');
      },
    );

    it.each(['RSA-OAEP', 'RSA-OAEP-256'])('%s naming our key by kid', async (alg) => {
      const jwe = await joseJwe({ alg, enc: 'A128CBC-HS256', kid: SERVER_KID });

      expect((await sut(jwe, options)).header.kid).toBe(SERVER_KID);
    });

    it('RSA1_5 naming our key by kid', async () => {
      const jwe = rsa15Jwe({ header: { kid: SERVER_KID } });

      expect((await sut(jwe, options)).header.kid).toBe(SERVER_KID);
    });
  });

  describe('RSA1_5 without a padding oracle', () => {
    const shortPadding = Buffer.concat([
      Buffer.from([0, 2]),
      Buffer.alloc(7, 0x77),
      Buffer.from([0]),
      randomBytes(MODULUS_BYTES - 10),
    ]);
    const pkcs1 = constants.RSA_PKCS1_PADDING;
    const badBlocks: [string, () => Buffer][] = [
      ['random bytes', () => randomBytes(MODULUS_BYTES)],
      ['block type 1 padding', () => rawRsaBlock(type2Encoded(randomBytes(32), 1))],
      ['a padding string of 7 bytes', () => rawRsaBlock(shortPadding)],
      ['valid padding around a 16-byte key', () => rawRsaBlock(type2Encoded(randomBytes(16)))],
      ['valid padding around a 64-byte key', () => rawRsaBlock(type2Encoded(randomBytes(64)))],
      [
        'a key wrapped to another RSA key',
        () => publicEncrypt({ key: stranger.publicKey, padding: pkcs1 }, randomBytes(32)),
      ],
      ['a block one byte short', () => randomBytes(MODULUS_BYTES - 1)],
      ['a block not below the modulus', () => Buffer.alloc(MODULUS_BYTES, 0xff)],
      ['an empty block', () => Buffer.alloc(0)],
    ];

    it.each(badBlocks)('answers %s exactly like a tampered tag', async (_name, block) => {
      const tampered = await rejection(sut(withPart(rsa15Jwe(), 4, flipFirstBit), options));

      const error = await rejection(sut(rsa15Jwe({ encryptedKey: block() }), options));

      expect(error.code).toBe('invalid_request_object');
      expect([error.code, error.description, error.status]).toEqual([
        tampered.code,
        tampered.description,
        tampered.status,
      ]);
    });

    it('answers a JWE for another RSA key like one for ours with a bad tag', async () => {
      const tampered = await rejection(sut(withPart(rsa15Jwe(), 4, flipFirstBit), options));

      const error = await rejection(sut(rsa15Jwe({ publicKey: stranger.publicKey }), options));

      expect([error.code, error.description]).toEqual([tampered.code, tampered.description]);
    });

    it('answers bad padding like an RSA-OAEP JWE with a bad tag', async () => {
      const oaepJwe = await joseJwe({ alg: 'RSA-OAEP', enc: 'A128CBC-HS256' });
      const oaep = await rejection(sut(withPart(oaepJwe, 4, flipFirstBit), options));
      const badPadding = rawRsaBlock(type2Encoded(randomBytes(32), 1));

      const error = await rejection(sut(rsa15Jwe({ encryptedKey: badPadding }), options));

      expect([error.code, error.description]).toEqual([oaep.code, oaep.description]);
    });
  });

  describe('refuses', () => {
    const tamperings: [string, number, (part: string) => string][] = [
      ['protected header', 0, addHeaderMember],
      ['encrypted key', 1, flipFirstBit],
      ['IV', 2, flipFirstBit],
      ['ciphertext', 3, flipFirstBit],
      ['tag', 4, flipFirstBit],
      ['truncated tag', 4, dropFirstByte],
    ];
    const tamperCases = JweAlgs.flatMap((alg) =>
      tamperings.map(([name, index, change]) => [alg, name, index, change] as const),
    );

    it.each(tamperCases)('%s with a changed %s', async (alg, _name, index, change) => {
      const jwe = alg === 'RSA1_5' ? rsa15Jwe() : await joseJwe({ alg, enc: 'A128CBC-HS256' });

      const error = await rejection(sut(withPart(jwe, index, change), options));

      expect(error.code).toBe('invalid_request_object');
    });

    it('alg dir, even when the allow-list names it', async () => {
      const jwe = await joseJwe({ alg: 'dir', enc: 'A128CBC-HS256' }, new Uint8Array(32));

      const error = await rejection(sut(jwe, { ...options, allowedAlgs: [...JweAlgs, 'dir'] }));

      expect(error.code).toBe('invalid_request_object');
    });

    it('an alg outside the allow-list', async () => {
      const jwe = await joseJwe({ alg: 'RSA-OAEP-256', enc: 'A128CBC-HS256' });

      const error = await rejection(sut(jwe, { ...options, allowedAlgs: ['RSA-OAEP'] }));

      expect(error.code).toBe('invalid_request_object');
    });

    it('RSA1_5 when the allow-list leaves it out', async () => {
      const allowedAlgs = ['RSA-OAEP', 'RSA-OAEP-256'];

      const error = await rejection(sut(rsa15Jwe(), { ...options, allowedAlgs }));

      expect(error.code).toBe('invalid_request_object');
    });

    it('an enc outside the allow-list', async () => {
      const jwe = await joseJwe({ alg: 'RSA-OAEP', enc: 'A128GCM' });

      const error = await rejection(sut(jwe, { ...options, allowedEncs: ['A128CBC-HS256'] }));

      expect(error.code).toBe('invalid_request_object');
    });

    it('an alg we do not implement, even when the allow-list names it', async () => {
      const jwe = await joseJwe({ alg: 'A192KW', enc: 'A128CBC-HS256' }, new Uint8Array(24));

      const error = await rejection(sut(jwe, { ...options, allowedAlgs: ['A192KW'] }));

      expect(error.code).toBe('invalid_request_object');
    });

    it('a compressed payload (zip)', async () => {
      const error = await rejection(sut(rsa15Jwe({ header: { zip: 'DEF' } }), options));

      expect(error.code).toBe('invalid_request_object');
    });

    it('a critical header extension (crit)', async () => {
      const error = await rejection(sut(rsa15Jwe({ header: { crit: ['exp'], exp: 1 } }), options));

      expect(error.code).toBe('invalid_request_object');
    });

    it('RSA-OAEP naming another key by kid', async () => {
      const jwe = await joseJwe({ alg: 'RSA-OAEP', enc: 'A128CBC-HS256', kid: 'someone-else' });

      const error = await rejection(sut(jwe, options));

      expect(error.code).toBe('invalid_request_object');
    });

    it('RSA1_5 naming another key by kid', async () => {
      const error = await rejection(sut(rsa15Jwe({ header: { kid: 'someone-else' } }), options));

      expect(error.code).toBe('invalid_request_object');
    });

    it.each(['A128KW', 'A256KW'])('%s when the client has no secret', async (alg) => {
      const jwe = await joseJwe({ alg, enc: 'A128CBC-HS256' });

      const error = await rejection(sut(jwe, { ...options, clientSecret: null }));

      expect(error.code).toBe('invalid_request_object');
    });

    it.each([
      ['A128KW', 16],
      ['A256KW', 32],
    ] as const)('%s wrapped with another secret', async (alg, bytes) => {
      const jwe = await joseJwe({ alg, enc: 'A128CBC-HS256' }, secretKey(bytes, 'another-secret'));

      const error = await rejection(sut(jwe, options));

      expect(error.code).toBe('invalid_request_object');
    });

    it('plaintext that is not UTF-8', async () => {
      const jwe = rsa15Jwe({ plaintext: Buffer.from([0xc3, 0x28, 0xff]) });

      const error = await rejection(sut(jwe, options));

      expect(error.code).toBe('invalid_request_object');
    });

    it.each([
      ['a signed JWT', PLAINTEXT],
      ['an empty string', ''],
      ['five empty parts', '....'],
      ['a header that is not JSON', 'bm90IGpzb24.a.b.c.d'],
      ['a header that is a JSON array', 'WyJSU0ExXzUiXQ.a.b.c.d'],
      ['characters outside base64url', 'eyJhbGciOiJSU0ExXzUifQ.a+b.c.d.e'],
    ])('%s', async (_name, compact) => {
      const error = await rejection(sut(compact, options));

      expect(error.code).toBe('invalid_request_object');
    });

    it('with one description for every cause', async () => {
      const causes = [
        sut('garbage', options),
        sut(rsa15Jwe({ header: { kid: 'someone-else' } }), options),
        sut(rsa15Jwe(), { ...options, allowedAlgs: ['RSA-OAEP'] }),
        sut(withPart(rsa15Jwe(), 3, flipFirstBit), options),
        sut(rsa15Jwe({ encryptedKey: randomBytes(MODULUS_BYTES) }), options),
      ];

      const errors = await Promise.all(causes.map(rejection));

      expect(new Set(errors.map((e) => e.description)).size).toBe(1);
    });
  });
});
