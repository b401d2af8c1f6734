import { OAuthError } from '@app/errors';

import { buildOtpMessage, checkOtpMessageTexts, OtpMessageTexts } from './otp-message';

function errorCode(texts: OtpMessageTexts): string | undefined {
  try {
    checkOtpMessageTexts(texts);
  } catch (error) {
    return error instanceof OAuthError ? error.code : 'not an OAuthError';
  }
  return undefined;
}

describe(buildOtpMessage.name, () => {
  it('replaces every {0} of the client body with the OTP and keeps its title', () => {
    const message = buildOtpMessage('alice@example.com', '12345678', {
      title: 'Sign in',
      body: 'Code {0} ({0}) $&',
    });

    expect(message).toEqual({
      recipient: 'alice@example.com',
      title: 'Sign in',
      body: 'Code 12345678 (12345678) $&',
    });
  });

  it.each([
    ['fi', 'Kertakäyttöinen salasana', 'Kertakäyttöinen salasanasi on 12345678'],
    ['sv-SE en', 'Engångslösenord', 'Ditt engångslösenord är 12345678'],
    ['de fi-FI', 'Kertakäyttöinen salasana', 'Kertakäyttöinen salasanasi on 12345678'],
    ['en-GB', 'Your one-time password', 'Your one-time password is 12345678'],
    ['de', 'Your one-time password', 'Your one-time password is 12345678'],
    [undefined, 'Your one-time password', 'Your one-time password is 12345678'],
  ])('uses the default texts for ui_locales %p', (uiLocales, title, body) => {
    expect(buildOtpMessage('358401234567', '12345678', { uiLocales })).toEqual({
      recipient: '358401234567',
      title,
      body,
    });
  });
});

describe(checkOtpMessageTexts.name, () => {
  it('accepts a one-line title and a multi-line body with {0}', () => {
    expect(
      errorCode({ title: 'Your code', body: 'Hello,\r\n\tyour code is {0}.\n' }),
    ).toBeUndefined();
  });

  it.each([
    'Code\r\nBcc: mallory@example.com',
    'Code\nX: y',
    'Code\rX',
    'Code\u0000',
    'Code\u2028X',
    'x'.repeat(201),
  ])('refuses the title %p', (title) => {
    expect(errorCode({ title })).toBe('invalid_request');
  });

  it.each(['no placeholder', `{0}${'x'.repeat(998)}`, 'code {0}\u0007'])(
    'refuses the body %p',
    (body) => {
      expect(errorCode({ body })).toBe('invalid_request');
    },
  );

  it('accepts a body of exactly 1000 characters', () => {
    expect(errorCode({ body: `{0}${'x'.repeat(997)}` })).toBeUndefined();
  });
});
