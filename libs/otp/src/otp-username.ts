import { OAuthError } from '@app/errors';

import { OtpChannel } from './otp-channel';

// RFC 5322 dot-atom characters only: no spaces, commas, quotes or angle brackets, so an
// address can never name a second recipient or smuggle a display name into a header.
const EMAIL =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
const MSISDN_SEPARATORS = /[\s().-]/g;
const DIGITS = /^\d+$/;
// E.164: at most 15 digits; 6 keeps out obvious garbage while allowing national numbers.
const MSISDN = /^\d{6,15}$/;

/** A username of the OTP grants, in the two forms the flow needs. */
export interface OtpUsername {
  /**
   * What the OTP is sent to and what `sub` is: the MSISDN as sent without separators (a
   * leading `+` stays, none is added), or the trimmed, lower-cased e-mail address.
   */
  readonly value: string;
  /**
   * The recipient in any spelling: the MSISDN's digits without `+` or `00`, or the address.
   * The send limit counts by it and a new initiation spends the earlier challenges by it.
   */
  readonly key: string;
}

/**
 * Reads the `username` of an OTP request for `channel`
 * (`+358 40 123 4567` → `+358401234567`, key `358401234567`). Anything else is invalid_request.
 */
export function readOtpUsername(channel: OtpChannel, raw: string | undefined): OtpUsername {
  if (raw === undefined || raw.trim() === '') {
    throw new OAuthError('invalid_request', 'The username parameter is missing.');
  }
  const username = channel === OtpChannel.Sms ? readMsisdn(raw) : readEmail(raw);
  if (username === null) {
    const expected = channel === OtpChannel.Sms ? 'a mobile number (MSISDN)' : 'an e-mail address';
    throw new OAuthError('invalid_request', `The username must be ${expected}.`);
  }
  return username;
}

/** CONTRACT "Recorded details": the MSISDN is used as sent; only the send limit compares digits. */
function readMsisdn(raw: string): OtpUsername | null {
  const value = raw.trim();
  const plus = value.startsWith('+');
  const digits = (plus ? value.slice(1) : value).replace(MSISDN_SEPARATORS, '');
  if (!DIGITS.test(digits)) return null;
  const international = plus || digits.startsWith('00');
  const number = plus ? digits : international ? digits.slice(2) : digits;
  // No country code starts with 0: `+0…` or `000…` would be a second spelling of nothing.
  if ((international && number.startsWith('0')) || !MSISDN.test(number)) return null;
  return { value: plus ? `+${digits}` : digits, key: number };
}

function readEmail(raw: string): OtpUsername | null {
  const value = raw.trim().toLowerCase();
  return value.length <= 254 && EMAIL.test(value) ? { value, key: value } : null;
}
