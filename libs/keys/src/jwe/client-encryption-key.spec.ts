import { generateKeyPairSync, KeyObject } from 'node:crypto';

import { selectClientEncryptionKey } from './client-encryption-key';

function rsaJwk(modulusLength = 2048): { jwk: Record<string, unknown>; publicKey: KeyObject } {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength });
  return { jwk: publicKey.export({ format: 'jwk' }), publicKey };
}

const first = rsaJwk();
const second = rsaJwk();

function sameKey(a: KeyObject | undefined, b: KeyObject): boolean {
  return a !== undefined && a.equals(b);
}

describe(selectClientEncryptionKey.name, () => {
  const sut = selectClientEncryptionKey;

  it('picks an RSA key with use enc and returns its kid', () => {
    const jwks = { keys: [{ ...first.jwk, use: 'enc', kid: 'enc-1' }] };

    const key = sut(jwks, 'RSA-OAEP');

    expect(key?.kid).toBe('enc-1');
    expect(sameKey(key?.publicKey, first.publicKey)).toBe(true);
  });

  it('accepts a key without use or alg, and then returns no kid', () => {
    const key = sut({ keys: [first.jwk] }, 'RSA1_5');

    expect(sameKey(key?.publicKey, first.publicKey)).toBe(true);
    expect(key).not.toHaveProperty('kid');
  });

  it('skips a signing key', () => {
    const jwks = {
      keys: [
        { ...first.jwk, use: 'sig', kid: 'sig' },
        { ...second.jwk, use: 'enc', kid: 'enc' },
      ],
    };

    expect(sut(jwks, 'RSA-OAEP')?.kid).toBe('enc');
  });

  it('skips a key registered for another alg', () => {
    const jwks = {
      keys: [
        { ...first.jwk, alg: 'RSA-OAEP-256', kid: 'oaep256' },
        { ...second.jwk, alg: 'RSA-OAEP', kid: 'oaep' },
      ],
    };

    expect(sut(jwks, 'RSA-OAEP')?.kid).toBe('oaep');
  });

  it('skips a key whose key_ops do not allow wrapping a key', () => {
    const jwks = {
      keys: [
        { ...first.jwk, key_ops: ['verify'], kid: 'verify' },
        { ...second.jwk, key_ops: ['wrapKey'], kid: 'wrap' },
      ],
    };

    expect(sut(jwks, 'RSA-OAEP')?.kid).toBe('wrap');
  });

  it('prefers a key with a kid over one without', () => {
    const jwks = { keys: [first.jwk, { ...second.jwk, kid: 'named' }] };

    const key = sut(jwks, 'RSA-OAEP');

    expect(key?.kid).toBe('named');
    expect(sameKey(key?.publicKey, second.publicKey)).toBe(true);
  });

  it('skips an RSA key smaller than 2048 bits', () => {
    const small = rsaJwk(1024);
    const jwks = {
      keys: [
        { ...small.jwk, kid: 'small' },
        { ...first.jwk, kid: 'big' },
      ],
    };

    expect(sut(jwks, 'RSA-OAEP')?.kid).toBe('big');
  });

  it('skips a key that is not RSA or cannot be imported', () => {
    const jwks = {
      keys: [
        { kty: 'EC', crv: 'P-256', kid: 'ec' },
        { kty: 'RSA', n: 42, e: 'AQAB', kid: 'broken' },
      ],
    };

    expect(sut(jwks, 'RSA-OAEP')).toBeNull();
  });

  it('returns null without a JWKS', () => {
    expect(sut(undefined, 'RSA-OAEP')).toBeNull();
  });
});
