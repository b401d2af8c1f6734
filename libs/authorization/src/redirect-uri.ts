/**
 * A loopback redirect URI (RFC 8252 §7.3): http to 127.0.0.1, [::1] or localhost, with an
 * optional port followed by the path, query or the end. Captures everything but the port.
 */
const LOOPBACK_WITH_PORT =
  /^(http:\/\/(?:127\.0\.0\.1|\[::1\]|localhost))(?::\d{1,5})?(?=[/?]|$)(.*)$/s;

/**
 * True when `requested` is one of `registered`: the very same string (RFC 6749 §3.1.2.3,
 * simple string comparison), except that for a loopback URI the port may differ (RFC 8252
 * §7.3; native apps listen on an ephemeral port).
 */
export function isRegisteredRedirectUri(requested: string, registered: readonly string[]): boolean {
  if (registered.includes(requested)) return true;
  const portless = withoutLoopbackPort(requested);
  return portless !== null && registered.some((uri) => withoutLoopbackPort(uri) === portless);
}

function withoutLoopbackPort(uri: string): string | null {
  const match = LOOPBACK_WITH_PORT.exec(uri);
  return match ? `${match[1]}${match[2]}` : null;
}
