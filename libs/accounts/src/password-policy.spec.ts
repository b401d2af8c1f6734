import { OAuthError } from '@app/errors';

import { assertPasswordAllowed } from './password-policy';

function codeOf(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (error) {
    return error instanceof OAuthError
      ? `${error.code}:${error.options.fields?.map((f) => f.field).join()}`
      : 'other';
  }
}

describe(assertPasswordAllowed.name, () => {
  it('accepts 8 characters', () => {
    expect(codeOf(() => assertPasswordAllowed('12345678', 'alice'))).toBeNull();
  });

  it('accepts 128 characters', () => {
    expect(codeOf(() => assertPasswordAllowed('x'.repeat(128), 'alice'))).toBeNull();
  });

  it('refuses 7 characters, naming the password field', () => {
    expect(codeOf(() => assertPasswordAllowed('1234567', 'alice'))).toBe(
      'invalid_request:password',
    );
  });

  it('refuses 129 characters', () => {
    expect(codeOf(() => assertPasswordAllowed('x'.repeat(129), 'alice'))).toBe(
      'invalid_request:password',
    );
  });

  it('counts characters, not UTF-16 units', () => {
    expect(codeOf(() => assertPasswordAllowed('😀😀😀😀', 'alice'))).toBe(
      'invalid_request:password',
    );
  });

  it('refuses the username in another letter case', () => {
    expect(codeOf(() => assertPasswordAllowed('Alice.Example', 'alice.example'))).toBe(
      'invalid_request:password',
    );
  });
});
