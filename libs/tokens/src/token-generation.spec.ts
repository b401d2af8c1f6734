import {
  isCurrentGeneration,
  readTokenGeneration,
  TOKEN_GENERATION_CLAIM,
  tokenGenerationClaim,
} from './token-generation';

describe('token generation', () => {
  it('mints no claim for generation 0, so tokens of never-revoked clients do not change', () => {
    expect(tokenGenerationClaim(0)).toEqual({});
  });

  it('mints the generation as a number claim and reads it back', () => {
    const payload = { sub: 'x', ...tokenGenerationClaim(3) };

    expect(payload).toEqual({ sub: 'x', [TOKEN_GENERATION_CLAIM]: 3 });
    expect(readTokenGeneration(payload)).toBe(3);
  });

  it('reads a token without the claim as generation 0', () => {
    expect(readTokenGeneration({ sub: 'x' })).toBe(0);
  });

  it.each([['1'], [0], [-1], [1.5], [null], [Number.MAX_SAFE_INTEGER + 1]])(
    'refuses a malformed claim %p',
    (value) => {
      expect(readTokenGeneration({ [TOKEN_GENERATION_CLAIM]: value })).toBeNull();
    },
  );

  it('keeps a token of the current generation and ends one of an older generation', () => {
    expect(isCurrentGeneration(2, 2)).toBe(true);
    expect(isCurrentGeneration(1, 2)).toBe(false);
    expect(isCurrentGeneration(0, 1)).toBe(false);
  });
});
