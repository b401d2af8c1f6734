import { ErrorRedirect, OAuthError } from '@app/errors';

/** RFC 6749 §4.1.2: the code, and the request's state, on the redirect URI. */
export function codeResponseLocation(
  redirectUri: string,
  code: string,
  state: string | null,
): string {
  return withQuery(redirectUri, { code, ...(state !== null ? { state } : {}) });
}

/** RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6: error, error_description and state on the redirect URI. */
export function errorResponseLocation(error: OAuthError, target: ErrorRedirect): string {
  return withQuery(target.redirectUri, {
    error: error.code,
    error_description: error.description,
    ...(target.state !== null ? { state: target.state } : {}),
  });
}

/** Appends parameters to the registered URI as it is, keeping its own query (RFC 6749 §3.1.2). */
function withQuery(uri: string, params: Record<string, string>): string {
  const query = new URLSearchParams(params).toString();
  return `${uri}${uri.includes('?') ? '&' : '?'}${query}`;
}
