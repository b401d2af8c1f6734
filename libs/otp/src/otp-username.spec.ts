import { OAuthError } from '@app/errors';

import { OtpChannel } from './otp-channel';
import { readOtpUsername } from './otp-username';

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof OAuthError ? error.code : 'not an OAuthError';
  }
  return undefined;
}

describe(readOtpUsername.name, () => {
  it.each([
    ['+358 40 123 4567', '+358401234567'],
    ['+358 (40) 123.4567', '+358401234567'],
    [' +358401234567 ', '+358401234567'],
    ['00358401234567', '00358401234567'],
    ['358-40-1234567', '358401234567'],
    [' 358401234567 ', '358401234567'],
  ])(
    'uses the MSISDN %p as sent, without separators: %p, counted as 358401234567',
    (raw, value) => {
      expect(readOtpUsername(OtpChannel.Sms, raw)).toEqual({ value, key: '358401234567' });
    },
  );

  it('keeps a national number as its digits', () => {
    expect(readOtpUsername(OtpChannel.Sms, '040555555')).toEqual({
      value: '040555555',
      key: '040555555',
    });
  });

  it.each([
    'user@example.com',
    'abc',
    '+358 40 x',
    '12345',
    '1234567890123456',
    '++358401234567',
    '+00358401234567',
    '0001234567',
    '358+401234567',
  ])('refuses %p as an MSISDN', (raw) => {
    expect(errorCode(() => readOtpUsername(OtpChannel.Sms, raw))).toBe('invalid_request');
  });

  it('trims and lower-cases the whole e-mail address', () => {
    expect(readOtpUsername(OtpChannel.Email, '  Alice.Smith+OTP@Example.COM ')).toEqual({
      value: 'alice.smith+otp@example.com',
      key: 'alice.smith+otp@example.com',
    });
  });

  it.each([
    '358401234567',
    'alice@example.com, mallory@example.com',
    'Alice <alice@example.com>',
    'alice@example.com\r\nBcc: mallory@example.com',
    '"alice"@example.com',
    'alice@@example.com',
    'alice@-example.com',
    '@example.com',
    `${'a'.repeat(250)}@example.com`,
  ])('refuses %p as an e-mail address', (raw) => {
    expect(errorCode(() => readOtpUsername(OtpChannel.Email, raw))).toBe('invalid_request');
  });

  it.each([undefined, '', '   '])('refuses a missing username (%p)', (raw) => {
    expect(errorCode(() => readOtpUsername(OtpChannel.Email, raw))).toBe('invalid_request');
  });
});
