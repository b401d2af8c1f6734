import { OAuthError } from '@app/errors';

/** The `token` parameter of introspection (RFC 7662 §2.1) and revocation (RFC 7009 §2.1). */
export function requireToken(params: Record<string, string>): string {
  const token = params.token;
  if (!token) throw new OAuthError('invalid_request', 'The token parameter is missing.');
  if (token.length > 8192)
    throw new OAuthError('invalid_request', 'The token parameter is too long.');
  return token;
}
