import { deriveSecretKey } from './secret-key';

/** SHA-256("abc"), FIPS 180-2 Appendix B.1. */
const SHA256_OF_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

describe(deriveSecretKey.name, () => {
  const sut = deriveSecretKey;

  it('takes the left-most 128 bits of SHA-256 of the secret for A128KW', () => {
    expect(Buffer.from(sut('abc', 'A128KW')).toString('hex')).toBe(SHA256_OF_ABC.slice(0, 32));
  });

  it('takes all 256 bits of SHA-256 of the secret for A256KW', () => {
    expect(Buffer.from(sut('abc', 'A256KW')).toString('hex')).toBe(SHA256_OF_ABC);
  });

  it('hashes the UTF-8 octets of the secret', () => {
    // printf '\xc3\xa9' | sha256sum: the UTF-8 octets of "é", not its Latin-1 octet e9.
    const key = sut('é', 'A128KW');

    expect(Buffer.from(key).toString('hex')).toBe('4a99557e4033c3539de2eb65472017ca');
  });

  it('derives different keys from different secrets', () => {
    expect(sut('secret-one', 'A256KW')).not.toEqual(sut('secret-two', 'A256KW'));
  });
});
