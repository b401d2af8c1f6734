/** The login session cookie (HttpOnly: scripts never see it). */
export const SESSION_COOKIE = 'uas_session';
/** The cookie the login form's ticket is bound to (CSRF). */
export const CSRF_COOKIE = 'uas_csrf';

/** The value of cookie `name` in a Cookie header (RFC 6265 §5.4), or null. */
export function readCookie(header: string | undefined, name: string): string | null {
  for (const pair of (header ?? '').split(';')) {
    const separator = pair.indexOf('=');
    if (separator > 0 && pair.slice(0, separator).trim() === name)
      return pair.slice(separator + 1).trim();
  }
  return null;
}

/**
 * A Set-Cookie value for a browser-session cookie: HttpOnly, SameSite=Lax (sent on the top-level
 * navigation from the client, not with cross-site posts), Secure when the issuer is https, and
 * scoped to the issuer's path.
 */
export function sessionCookie(
  name: string,
  value: string,
  options: { path: string; secure: boolean },
): string {
  return `${name}=${value}; Path=${options.path}; HttpOnly; SameSite=Lax${options.secure ? '; Secure' : ''}`;
}

/** A Set-Cookie value that makes the browser drop cookie `name` (RFC 6265 §5.3: Max-Age=0). */
export function expiredCookie(name: string, options: { path: string; secure: boolean }): string {
  return `${sessionCookie(name, '', options)}; Max-Age=0`;
}
