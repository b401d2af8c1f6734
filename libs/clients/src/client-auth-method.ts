/** token_endpoint_auth_method values (RFC 7591 §2, OIDC Core §9). */
export const ClientAuthMethod = {
  ClientSecretPost: 'client_secret_post',
  ClientSecretBasic: 'client_secret_basic',
  ClientSecretJwt: 'client_secret_jwt',
  PrivateKeyJwt: 'private_key_jwt',
  None: 'none',
} as const;

export type ClientAuthMethod = (typeof ClientAuthMethod)[keyof typeof ClientAuthMethod];

/** The seed document's order. */
export const CLIENT_AUTH_METHOD_ORDER: readonly ClientAuthMethod[] = [
  ClientAuthMethod.ClientSecretPost,
  ClientAuthMethod.ClientSecretBasic,
  ClientAuthMethod.ClientSecretJwt,
  ClientAuthMethod.PrivateKeyJwt,
  ClientAuthMethod.None,
];
