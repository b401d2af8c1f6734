import { DecryptionError, MasterKeyCipher } from './master-key-cipher';
import { generateMasterKey } from './tokens';

describe(MasterKeyCipher.name, () => {
  const sut = new MasterKeyCipher(generateMasterKey());

  it('decrypts what it encrypted under the same context', () => {
    const envelope = sut.encrypt('secret value', 'client:abc');

    expect(sut.decryptString(envelope, 'client:abc')).toBe('secret value');
  });

  it('never produces the same envelope twice', () => {
    expect(sut.encrypt('x', 'c')).not.toBe(sut.encrypt('x', 'c'));
  });

  it('refuses an envelope moved to another context', () => {
    const envelope = sut.encrypt('secret value', 'client:abc');

    expect(() => sut.decrypt(envelope, 'client:other')).toThrow(DecryptionError);
  });

  it('refuses a different master key', () => {
    const envelope = sut.encrypt('secret value', 'c');
    const other = new MasterKeyCipher(generateMasterKey());

    expect(() => other.decrypt(envelope, 'c')).toThrow(DecryptionError);
  });

  it('refuses a tampered ciphertext', () => {
    const [v, iv, ct, tag] = sut.encrypt('secret value', 'c').split('.');
    const flipped = Buffer.from(ct, 'base64url');
    flipped[0] ^= 1;

    expect(() => sut.decrypt([v, iv, flipped.toString('base64url'), tag].join('.'), 'c')).toThrow(
      DecryptionError,
    );
  });

  it('derives a stable 32-byte key per purpose, different across purposes and master keys', () => {
    const other = new MasterKeyCipher(generateMasterKey());

    expect(sut.deriveKey('otp')).toHaveLength(32);
    expect(sut.deriveKey('otp').equals(sut.deriveKey('otp'))).toBe(true);
    expect(sut.deriveKey('otp').equals(sut.deriveKey('other'))).toBe(false);
    expect(sut.deriveKey('otp').equals(other.deriveKey('otp'))).toBe(false);
  });

  it('refuses garbage', () => {
    expect(() => sut.decrypt('not-an-envelope', 'c')).toThrow(DecryptionError);
  });
});
