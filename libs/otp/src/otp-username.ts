import { OAuthError } from '@app/errors';

import { OtpChannel } from './otp-channel';

// RFC 5322 dot-atom characters only: no spaces, commas, quotes or angle brackets, so an
// address can never name a second recipient or smuggle a display name into a header.
const EMAIL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
const MSISDN_SEPARATORS = /[\s().-]/g;
// E.164: at most 15 digits; 6 keeps out obvious garbage while allowing national numbers.
const MSISDN = /^\d{6,15}$/;

/**
 * The one identity behind the spellings of a username: an e-mail address is trimmed and
 * lower-cased; an MSISDN keeps its digits only, without a leading `+` or `00`
 * (`+358 40 123 4567`, `00358401234567`, `358-40-1234567` → `358401234567`).
 * Anything else is invalid_request.
 */
export function normalizeOtpUsername(channel: OtpChannel, raw: string | undefined): string {
  if (raw === undefined || raw.trim() === '') {
    throw new OAuthError('invalid_request', 'The username parameter is missing.');
  }
  const username = channel === OtpChannel.Sms ? normalizeMsisdn(raw) : normalizeEmail(raw);
  if (username === null) {
    const expected = channel === OtpChannel.Sms ? 'a mobile number (MSISDN)' : 'an e-mail address';
    throw new OAuthError('invalid_request', `The username must be ${expected}.`);
  }
  return username;
}

function normalizeMsisdn(raw: string): string | null {
  let value = raw.trim();
  const international = value.startsWith('+') || value.startsWith('00');
  value = value.slice(value.startsWith('+') ? 1 : international ? 2 : 0);
  const digits = value.replace(MSISDN_SEPARATORS, '');
  // No country code starts with 0: `+0…` or `000…` would be a second spelling of nothing.
  if (international && digits.startsWith('0')) return null;
  return MSISDN.test(digits) ? digits : null;
}

function normalizeEmail(raw: string): string | null {
  const value = raw.trim().toLowerCase();
  return value.length <= 254 && EMAIL.test(value) ? value : null;
}
