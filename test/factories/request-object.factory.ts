import {
  constants,
  createCipheriv,
  createHash,
  createHmac,
  KeyObject,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';

import { CompactEncrypt, SignJWT } from 'jose';

/** How a request object is signed: with the client's RSA key, its secret, or not at all. */
export type RequestObjectSigner =
  | { alg: 'RS256'; privateKey: KeyObject; kid?: string }
  | { alg: 'HS256'; secret: string }
  | { alg: 'none' };

/** JWE algorithms a request object may be encrypted with (the server's key, or the client secret). */
export type RequestObjectEncryption =
  | { alg: 'RSA-OAEP' | 'RSA-OAEP-256' | 'RSA1_5'; enc: string; serverKey: KeyObject; kid?: string }
  | { alg: 'A128KW' | 'A256KW'; enc: string; secret: string };

const b64 = (value: Uint8Array | string) => Buffer.from(value).toString('base64url');

/**
 * A compact JWS of `claims` (RFC 9101 §4), made independently of the server's code: HS256 typed
 * `oauth-authz-req+jwt`, RS256 untyped (both allowed; `header` may add or override a `typ`).
 */
export async function signRequestObject(
  claims: Record<string, unknown>,
  signer: RequestObjectSigner,
  header: Record<string, unknown> = {},
): Promise<string> {
  if (signer.alg === 'none') {
    return `${b64(JSON.stringify({ alg: 'none', ...header }))}.${b64(JSON.stringify(claims))}.`;
  }
  const jwt = new SignJWT(claims);
  if (signer.alg === 'HS256') {
    return jwt
      .setProtectedHeader({ alg: 'HS256', typ: 'oauth-authz-req+jwt', ...header })
      .sign(new Uint8Array(Buffer.from(signer.secret, 'utf8')));
  }
  const kid = signer.kid === undefined ? {} : { kid: signer.kid };
  return jwt.setProtectedHeader({ alg: 'RS256', ...kid, ...header }).sign(signer.privateKey);
}

/** A compact JWE of `plaintext` (a nested JWT, or anything a test wants to send). */
export async function encryptRequestObject(
  plaintext: string,
  encryption: RequestObjectEncryption,
): Promise<string> {
  if (encryption.alg === 'RSA1_5')
    return encryptRsa15(plaintext, encryption.serverKey, encryption.enc);
  const header = {
    alg: encryption.alg,
    enc: encryption.enc,
    cty: 'JWT',
    ...('kid' in encryption && encryption.kid ? { kid: encryption.kid } : {}),
  };
  const key =
    'secret' in encryption
      ? secretDerivedKey(encryption.secret, encryption.alg)
      : encryption.serverKey;
  return new CompactEncrypt(new Uint8Array(Buffer.from(plaintext, 'utf8')))
    .setProtectedHeader(header)
    .encrypt(key);
}

/** OpenID Connect Core §10.2: the left-most bits of SHA-256 of the client secret. */
export function secretDerivedKey(secret: string, alg: 'A128KW' | 'A256KW'): Uint8Array {
  return new Uint8Array(
    createHash('sha256')
      .update(secret, 'utf8')
      .digest()
      .subarray(0, alg === 'A128KW' ? 16 : 32),
  );
}

/**
 * RSA1_5 with AES-CBC-HMAC by hand (RFC 7516 §5.1, RFC 7518 §4.2, §5.2.2; jose 6 dropped
 * RSA1_5). `encryptedKey` replaces the RSA block, to send a malformed one.
 */
export function encryptRsa15(
  plaintext: string,
  serverKey: KeyObject,
  enc: string,
  encryptedKey?: Buffer,
): string {
  const cek = randomBytes(enc === 'A256CBC-HS512' ? 64 : 32);
  const header = b64(JSON.stringify({ alg: 'RSA1_5', enc, cty: 'JWT' }));
  const wrapped =
    encryptedKey ?? publicEncrypt({ key: serverKey, padding: constants.RSA_PKCS1_PADDING }, cek);
  const { iv, ciphertext, tag } = cbcHmac(
    enc,
    cek,
    Buffer.from(plaintext, 'utf8'),
    Buffer.from(header, 'ascii'),
  );
  return [header, b64(wrapped), b64(iv), b64(ciphertext), b64(tag)].join('.');
}

function cbcHmac(
  enc: string,
  cek: Buffer,
  plaintext: Buffer,
  aad: Buffer,
): { iv: Buffer; ciphertext: Buffer; tag: Buffer } {
  const half = cek.length / 2;
  const iv = randomBytes(16);
  const cipher = createCipheriv(
    half === 16 ? 'aes-128-cbc' : 'aes-256-cbc',
    cek.subarray(half),
    iv,
  );
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const aadBits = Buffer.alloc(8);
  aadBits.writeBigUInt64BE(BigInt(aad.length * 8));
  const mac = createHmac(half === 16 ? 'sha256' : 'sha512', cek.subarray(0, half))
    .update(Buffer.concat([aad, iv, ciphertext, aadBits]))
    .digest();
  return { iv, ciphertext, tag: mac.subarray(0, half) };
}
