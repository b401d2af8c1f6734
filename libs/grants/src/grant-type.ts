/** Every grant_type wire value this server knows (RFC 6749, RFC 7522, Ubisecure extensions). */
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

/** The order of the seed's grant_types_supported (client_credentials where the live product has it). */
export const GRANT_TYPE_ORDER: readonly GrantType[] = [
  GrantType.AuthorizationCode,
  GrantType.Password,
  GrantType.ClientCredentials,
  GrantType.RefreshToken,
  GrantType.Saml2Bearer,
  GrantType.SmsOtp,
  GrantType.SmtpOtp,
];
