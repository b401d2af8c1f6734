import {
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  constants,
  privateDecrypt,
  timingSafeEqual,
} from 'node:crypto';

/**
 * A JWE decrypter for tests written only on node:crypto, independent of the server's JWE code
 * and of jose: RSA-OAEP(-256), RSA1_5 (textbook RSA with the private exponent), A128KW/A256KW
 * (OpenSSL's AES key wrap, key = SHA-256 of the client secret, OIDC Core §10.2), and
 * A128CBC-HS256 / A256CBC-HS512 (RFC 7518 §5.2).
 */
export function independentDecrypt(
  jwe: string,
  keys: { privateJwk?: Record<string, unknown>; clientSecret?: string },
): { header: Record<string, unknown>; plaintext: string } {
  const [h, ek, iv, ct, tag] = jwe.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, string>;
  const encryptedKey = Buffer.from(ek, 'base64url');
  const cek = unwrap(header.alg, encryptedKey, keys);
  const plaintext = decryptContent(
    header.enc,
    cek,
    Buffer.from(h, 'ascii'),
    Buffer.from(iv, 'base64url'),
    Buffer.from(ct, 'base64url'),
    Buffer.from(tag, 'base64url'),
  );
  return { header, plaintext };
}

function unwrap(
  alg: string,
  encryptedKey: Buffer,
  keys: { privateJwk?: Record<string, unknown>; clientSecret?: string },
): Buffer {
  if (alg === 'RSA-OAEP' || alg === 'RSA-OAEP-256') {
    const key = createPrivateKey({ key: keys.privateJwk as never, format: 'jwk' });
    return privateDecrypt(
      {
        key,
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: alg === 'RSA-OAEP' ? 'sha1' : 'sha256',
      },
      encryptedKey,
    );
  }
  if (alg === 'RSA1_5')
    return textbookRsa15(encryptedKey, keys.privateJwk as { n: string; d: string });
  if (alg === 'A128KW' || alg === 'A256KW') {
    const bytes = alg === 'A128KW' ? 16 : 32;
    const kek = createHash('sha256')
      .update(keys.clientSecret ?? '', 'utf8')
      .digest()
      .subarray(0, bytes);
    const decipher = createDecipheriv(
      alg === 'A128KW' ? 'id-aes128-wrap' : 'id-aes256-wrap',
      kek,
      Buffer.from('A6A6A6A6A6A6A6A6', 'hex'),
    );
    return Buffer.concat([decipher.update(encryptedKey), decipher.final()]);
  }
  throw new Error(`unexpected alg ${alg}`);
}

function textbookRsa15(block: Buffer, jwk: { n: string; d: string }): Buffer {
  const big = (b64: string) => BigInt(`0x${Buffer.from(b64, 'base64url').toString('hex')}`);
  const n = big(jwk.n);
  const k = Buffer.from(jwk.n, 'base64url').length;
  let result = 1n;
  let base = big(block.toString('base64url')) % n;
  for (let e = big(jwk.d); e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * base) % n;
    base = (base * base) % n;
  }
  const encoded = Buffer.from(result.toString(16).padStart(k * 2, '0'), 'hex');
  const separator = encoded.indexOf(0, 2);
  if (encoded[0] !== 0 || encoded[1] !== 2 || separator < 10)
    throw new Error('bad PKCS#1 v1.5 padding');
  return encoded.subarray(separator + 1);
}

function decryptContent(
  enc: string,
  cek: Buffer,
  aad: Buffer,
  iv: Buffer,
  ciphertext: Buffer,
  tag: Buffer,
): string {
  const sizes: Record<string, { half: number; hash: string; cipher: string }> = {
    'A128CBC-HS256': { half: 16, hash: 'sha256', cipher: 'aes-128-cbc' },
    'A256CBC-HS512': { half: 32, hash: 'sha512', cipher: 'aes-256-cbc' },
  };
  const s = sizes[enc];
  if (!s || cek.length !== 2 * s.half)
    throw new Error(`unexpected enc ${enc} or key length ${cek.length}`);
  const al = Buffer.alloc(8);
  al.writeBigUInt64BE(BigInt(aad.length * 8));
  const mac = createHmac(s.hash, cek.subarray(0, s.half))
    .update(Buffer.concat([aad, iv, ciphertext, al]))
    .digest()
    .subarray(0, s.half);
  if (tag.length !== s.half || !timingSafeEqual(mac, tag))
    throw new Error('authentication tag mismatch');
  const decipher = createDecipheriv(s.cipher, cek.subarray(s.half), iv);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
}
