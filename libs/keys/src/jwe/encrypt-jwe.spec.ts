import {
  createDecipheriv,
  createHash,
  createHmac,
  generateKeyPairSync,
  timingSafeEqual,
} from 'node:crypto';

import { compactDecrypt, decodeProtectedHeader } from 'jose';

import { OAuthError } from '@app/errors';

import { encryptJwe } from './encrypt-jwe';
import { JweEnc, JweEncs } from './jwe-algorithms';

const client = generateKeyPairSync('rsa', { modulusLength: 2048 });
const clientJwk = client.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
const clientPrivateJwk = client.privateKey.export({ format: 'jwk' }) as { n: string; d: string };
const jwks = { keys: [{ ...clientJwk, kid: 'client-enc-1', use: 'enc' }] };
const clientSecret = 'a-client-secret-of-sufficient-length-0123456789';
const PLAINTEXT = '{"sub":"alice","email":"ålice@example.com"}';
const NESTED_JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln';

/** OpenID Connect Core §10.2, computed here rather than by the code under test. */
function secretKey(bytes: 16 | 32): Uint8Array {
  return new Uint8Array(createHash('sha256').update(clientSecret).digest().subarray(0, bytes));
}

function toBigInt(b64url: string): bigint {
  return BigInt(`0x${Buffer.from(b64url, 'base64url').toString('hex')}`);
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

/** Test-only RSAES-PKCS1-v1_5 decryption: textbook RSA with the JWK's d and n, strict parse. */
function textbookRsa15Decrypt(block: Buffer): Buffer {
  const n = toBigInt(clientPrivateJwk.n);
  const k = Buffer.from(clientPrivateJwk.n, 'base64url').length;
  const m = modPow(toBigInt(block.toString('base64url')), toBigInt(clientPrivateJwk.d), n);
  const encoded = Buffer.from(m.toString(16).padStart(k * 2, '0'), 'hex');
  const separator = encoded.indexOf(0, 2);
  if (encoded[0] !== 0 || encoded[1] !== 2 || separator < 10) throw new Error('bad padding');
  return encoded.subarray(separator + 1);
}

interface Parts {
  aad: Buffer;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** Test-only content decryption (RFC 7518 §5.2.2.2 and §5.3) with node:crypto. */
function decryptContentInTest(enc: JweEnc, cek: Buffer, parts: Parts): string {
  const { aad, iv, ciphertext, tag } = parts;
  if (enc === 'A128GCM' || enc === 'A256GCM') {
    const decipher = createDecipheriv(enc === 'A128GCM' ? 'aes-128-gcm' : 'aes-256-gcm', cek, iv);
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  }
  const half = cek.length / 2;
  const al = Buffer.alloc(8);
  al.writeBigUInt64BE(BigInt(aad.length * 8));
  const hmac = createHmac(enc === 'A128CBC-HS256' ? 'sha256' : 'sha512', cek.subarray(0, half));
  const mac = hmac
    .update(Buffer.concat([aad, iv, ciphertext, al]))
    .digest()
    .subarray(0, half);
  if (tag.length !== half || !timingSafeEqual(mac, tag)) throw new Error('bad tag');
  const cipher = enc === 'A128CBC-HS256' ? 'aes-128-cbc' : 'aes-256-cbc';
  const decipher = createDecipheriv(cipher, cek.subarray(half), iv);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
}

function partsOf(jwe: string): Parts & { encryptedKey: Buffer } {
  const [header, encryptedKey, iv, ciphertext, tag] = jwe.split('.');
  return {
    aad: Buffer.from(header, 'ascii'),
    encryptedKey: b64(encryptedKey),
    iv: b64(iv),
    ciphertext: b64(ciphertext),
    tag: b64(tag),
  };
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (e: unknown) => e,
  );
}

const joseCases = (['RSA-OAEP', 'RSA-OAEP-256', 'A128KW', 'A256KW'] as const).flatMap((alg) =>
  JweEncs.map((enc) => [alg, enc] as const),
);

describe(encryptJwe.name, () => {
  const sut = encryptJwe;

  it.each(joseCases)('produces %s / %s that jose decrypts', async (alg, enc) => {
    const key =
      alg === 'A128KW' ? secretKey(16) : alg === 'A256KW' ? secretKey(32) : client.privateKey;
    const algorithms = { keyManagementAlgorithms: [alg], contentEncryptionAlgorithms: [enc] };

    const jwe = await sut(PLAINTEXT, { alg, enc, jwks, clientSecret });
    const result = await compactDecrypt(jwe, key, algorithms);

    expect(new TextDecoder().decode(result.plaintext)).toBe(PLAINTEXT);
    expect(result.protectedHeader).toMatchObject({ alg, enc });
  });

  it.each(JweEncs)('produces RSA1_5 / %s that textbook RSA and node:crypto open', async (enc) => {
    const jwe = await sut(PLAINTEXT, { alg: 'RSA1_5', enc, jwks });

    const parts = partsOf(jwe);
    const plaintext = decryptContentInTest(enc, textbookRsa15Decrypt(parts.encryptedKey), parts);

    expect(plaintext).toBe(PLAINTEXT);
    expect(decodeProtectedHeader(jwe)).toEqual({ alg: 'RSA1_5', enc, kid: 'client-enc-1' });
  });

  it('wraps an RSA1_5 content key of the length the enc requires', async () => {
    const jwe = await sut(PLAINTEXT, { alg: 'RSA1_5', enc: 'A256CBC-HS512', jwks });

    expect(textbookRsa15Decrypt(partsOf(jwe).encryptedKey)).toHaveLength(64);
  });

  it('uses A128CBC-HS256 when no enc is given', async () => {
    const jwe = await sut(PLAINTEXT, { alg: 'RSA-OAEP', jwks });

    expect(decodeProtectedHeader(jwe).enc).toBe('A128CBC-HS256');
  });

  it('names the chosen RSA key by its kid', async () => {
    const jwe = await sut(PLAINTEXT, { alg: 'RSA-OAEP-256', jwks });

    expect(decodeProtectedHeader(jwe)).toEqual({
      alg: 'RSA-OAEP-256',
      enc: 'A128CBC-HS256',
      kid: 'client-enc-1',
    });
  });

  it('sends no kid when the RSA key has none', async () => {
    const jwe = await sut(PLAINTEXT, { alg: 'RSA-OAEP', jwks: { keys: [clientJwk] } });

    expect(decodeProtectedHeader(jwe)).not.toHaveProperty('kid');
  });

  it('sends no kid for a key derived from the client secret', async () => {
    const jwe = await sut(PLAINTEXT, { alg: 'A128KW', jwks, clientSecret });

    expect(decodeProtectedHeader(jwe)).toEqual({ alg: 'A128KW', enc: 'A128CBC-HS256' });
  });

  it.each(['RSA-OAEP', 'RSA1_5', 'A256KW'])('marks a nested JWT with cty JWT (%s)', async (alg) => {
    const jwe = await sut(NESTED_JWT, { alg, jwks, clientSecret, contentType: 'JWT' });

    expect(decodeProtectedHeader(jwe).cty).toBe('JWT');
  });

  it('sends no cty for a JSON payload', async () => {
    const jwe = await sut(PLAINTEXT, { alg: 'RSA-OAEP', jwks });

    expect(decodeProtectedHeader(jwe)).not.toHaveProperty('cty');
  });

  it('never produces the same JWE twice', async () => {
    const options = { alg: 'RSA1_5', jwks };

    expect(await sut(PLAINTEXT, options)).not.toBe(await sut(PLAINTEXT, options));
  });

  it.each(['RSA-OAEP', 'RSA-OAEP-256', 'RSA1_5'])(
    'throws a plain Error when the client has no key for %s',
    async (alg) => {
      const signingOnly = { keys: [{ ...clientJwk, use: 'sig', kid: 'sig' }] };

      const error = await errorOf(sut(PLAINTEXT, { alg, jwks: signingOnly }));

      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(OAuthError);
    },
  );

  it.each(['A128KW', 'A256KW'])('throws a plain Error for %s without a secret', async (alg) => {
    const error = await errorOf(sut(PLAINTEXT, { alg, jwks, clientSecret: null }));

    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(OAuthError);
  });

  it.each(['dir', 'RSA-OAEP-384', 'A192KW', 'ECDH-ES', 'none'])('refuses alg %s', async (alg) => {
    await expect(sut(PLAINTEXT, { alg, jwks, clientSecret })).rejects.toThrow(/not supported/);
  });

  it.each(['A192CBC-HS384', 'A192GCM', 'dir'])('refuses enc %s', async (enc) => {
    await expect(sut(PLAINTEXT, { alg: 'RSA-OAEP', enc, jwks })).rejects.toThrow(/not supported/);
  });
});

function b64(part: string): Buffer {
  return Buffer.from(part, 'base64url');
}
