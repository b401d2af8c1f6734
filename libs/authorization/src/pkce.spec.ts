import { isPkceChallenge, isPkceValue, PkceMethod, pkceVerifierMatches } from './pkce';

// RFC 7636 Appendix B.
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

describe('PKCE', () => {
  it('matches the S256 example of RFC 7636 Appendix B', () => {
    expect(pkceVerifierMatches(VERIFIER, CHALLENGE, PkceMethod.S256)).toBe(true);
  });

  it('does not take the challenge itself as an S256 verifier', () => {
    expect(pkceVerifierMatches(CHALLENGE, CHALLENGE, PkceMethod.S256)).toBe(false);
  });

  it('compares plain verifiers as they are', () => {
    expect(pkceVerifierMatches(VERIFIER, VERIFIER, PkceMethod.Plain)).toBe(true);
    expect(pkceVerifierMatches(VERIFIER, `${VERIFIER.slice(0, -1)}Y`, PkceMethod.Plain)).toBe(
      false,
    );
  });

  it('refuses a verifier outside the syntax even when it would match', () => {
    const short = 'a'.repeat(42);

    expect(pkceVerifierMatches(short, short, PkceMethod.Plain)).toBe(false);
  });

  it.each([
    ['43 unreserved characters', 'a'.repeat(43), true],
    ['128 characters', `${'A-._~'.repeat(25)}abc`, true],
    ['42 characters', 'a'.repeat(42), false],
    ['129 characters', 'a'.repeat(129), false],
    ['a padding character', `${'a'.repeat(43)}=`, false],
    ['a plus sign', `${'a'.repeat(42)}+`, false],
  ])('knows the syntax: %s', (_case, value, valid) => {
    expect(isPkceValue(value)).toBe(valid);
  });

  it.each([
    ['an S256 challenge of 43 base64url characters', 'a'.repeat(42) + '_', PkceMethod.S256, true],
    ['an S256 challenge of 44 characters', 'a'.repeat(44), PkceMethod.S256, false],
    ['an S256 challenge with a tilde', `${'a'.repeat(42)}~`, PkceMethod.S256, false],
    [
      'a plain challenge of 128 unreserved characters',
      `${'A-._~'.repeat(25)}abc`,
      PkceMethod.Plain,
      true,
    ],
    ['a plain challenge of 42 characters', 'a'.repeat(42), PkceMethod.Plain, false],
  ])('knows the challenge syntax: %s', (_case, value, method, valid) => {
    expect(isPkceChallenge(value, method)).toBe(valid);
  });
});
