/** How a one-time password reaches its user: by SMS to an MSISDN, or by e-mail. */
export const OtpChannel = {
  Sms: 'sms',
  Email: 'email',
} as const;

export type OtpChannel = (typeof OtpChannel)[keyof typeof OtpChannel];
