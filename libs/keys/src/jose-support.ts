/**
 * The JOSE algorithms this server implements for each use, in the seed document's order.
 * Discovery advertises exactly these lists and the admin API accepts only these values, so
 * a value appears here only when a test proves it works end to end.
 */
export const JoseSupport = {
  /** id_token_signed_response_alg. */
  idTokenSigning: ['RS256', 'HS256'] as readonly string[],
  /** userinfo_signed_response_alg. */
  userinfoSigning: ['RS256', 'HS256'] as readonly string[],
  /** request_object_signing_alg. */
  requestObjectSigning: ['RS256', 'HS256'] as readonly string[],
  /** *_encrypted_response_alg for ID tokens and userinfo. */
  responseEncryptionAlgs: [
    'RSA-OAEP',
    'RSA-OAEP-256',
    'RSA1_5',
    'A128KW',
    'A256KW',
  ] as readonly string[],
  /** *_encrypted_response_enc for ID tokens and userinfo. */
  responseEncryptionEncs: ['A128CBC-HS256', 'A256CBC-HS512'] as readonly string[],
  /** request_object_encryption_alg / _enc. */
  requestObjectEncryptionAlgs: [
    'RSA-OAEP',
    'RSA-OAEP-256',
    'RSA1_5',
    'A128KW',
    'A256KW',
  ] as readonly string[],
  requestObjectEncryptionEncs: ['A128CBC-HS256', 'A256CBC-HS512'] as readonly string[],
} as const;
