import {
  base32Decode,
  base32Encode,
  matchTotpStep,
  newTotpSecret,
  otpauthUri,
  totpCode,
  totpStep,
} from './totp';

// RFC 6238 Appendix B: the SHA-1 seed, and the last six digits of its 8-digit test values.
const RFC_SEED = Buffer.from('12345678901234567890', 'ascii');

describe('TOTP (RFC 6238)', () => {
  it.each([
    [59, '287082'],
    [1111111109, '081804'],
    [1111111111, '050471'],
    [1234567890, '005924'],
    [2000000000, '279037'],
    [20000000000, '353130'],
  ])('gives the test vector of RFC 6238 Appendix B at %i', (time, code) => {
    expect(totpCode(RFC_SEED, totpStep(time))).toBe(code);
  });

  it('accepts a code of the step before and after, and names its step', () => {
    const now = 1111111111;

    expect(matchTotpStep(RFC_SEED, totpCode(RFC_SEED, totpStep(now) - 1), now)).toBe(
      totpStep(now) - 1,
    );
    expect(matchTotpStep(RFC_SEED, totpCode(RFC_SEED, totpStep(now) + 1), now)).toBe(
      totpStep(now) + 1,
    );
  });

  it('refuses a code two steps away and anything but six digits', () => {
    const now = 1111111111;

    expect(matchTotpStep(RFC_SEED, totpCode(RFC_SEED, totpStep(now) - 2), now)).toBeNull();
    expect(matchTotpStep(RFC_SEED, '05047', now)).toBeNull();
    expect(matchTotpStep(RFC_SEED, '0504710', now)).toBeNull();
  });

  it('makes 160-bit base32 secrets that decode to what was encoded', () => {
    const secret = newTotpSecret();

    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(secret)).toHaveLength(20);
    expect(base32Encode(base32Decode(secret) as Buffer)).toBe(secret);
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI'); // RFC 4648 §10
    expect(base32Decode('1')).toBeNull();
  });

  it('writes the otpauth URI authenticator apps read', () => {
    expect(otpauthUri('JBSWY3DPEHPK3PXP', 'idp.example', 'alice@example.com')).toBe(
      'otpauth://totp/idp.example:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=idp.example&algorithm=SHA1&digits=6&period=30',
    );
  });
});
