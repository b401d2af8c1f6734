/**
 * Every grant_type wire value this server knows (RFC 6749, RFC 7522, Ubisecure extensions).
 * Declared in the order of the seed's grant_types_supported (client_credentials where the live
 * product has it): discovery advertises them in this order.
 */
export const GrantType = {
  AuthorizationCode: 'authorization_code',
  Password: 'password',
  ClientCredentials: 'client_credentials',
  RefreshToken: 'refresh_token',
  Saml2Bearer: 'urn:ietf:params:oauth:grant-type:saml2-bearer',
  SmsOtp: 'http://globalsign.com/iam/sso/oauth2/grant-type/sms-mt-otp',
  SmtpOtp: 'http://globalsign.com/iam/sso/oauth2/grant-type/smtp-otp',
} as const;

export type GrantType = (typeof GrantType)[keyof typeof GrantType];

/** Every grant type in the seed document's order. */
export const GRANT_TYPE_ORDER: readonly GrantType[] = Object.values(GrantType);
