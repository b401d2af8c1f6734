import { randomToken } from './tokens';

describe(randomToken.name, () => {
  it('gives 32 random bytes as base64url by default', () => {
    const value = randomToken();
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(value, 'base64url')).toHaveLength(32);
  });

  it('never repeats a value across many refills of its pool', () => {
    // 4 KiB a pool: 1,000 values of 32 bytes take it through several refills.
    const values = Array.from({ length: 1000 }, () => randomToken(32));
    expect(new Set(values).size).toBe(values.length);
    // Zeroed bytes given out again would show as a run of 'A's (base64url of zero bytes).
    expect(values.filter((v) => v.startsWith('AAAAAAAA'))).toEqual([]);
  });

  it('gives the size asked for, small and large', () => {
    for (const bytes of [1, 16, 24, 32, 255, 256, 257, 1024]) {
      expect(Buffer.from(randomToken(bytes), 'base64url')).toHaveLength(bytes);
    }
  });

  it('does not give the same bytes to two values of different sizes', () => {
    const a = Buffer.from(randomToken(24), 'base64url');
    const b = Buffer.from(randomToken(40), 'base64url');
    expect(b.includes(a)).toBe(false);
    expect(a.includes(b.subarray(0, 24))).toBe(false);
  });
});
