/**
 * The one form of the UUIDs this server mints (client ids, user ids, grant ids, issuer ids):
 * lower-case, as `randomUUID()` writes them. PostgreSQL's `uuid` type compares them without
 * regard to case, but a cache keyed by the string would not, so any other spelling is refused
 * before a cache, a limit or a query sees it: a client_id is a case-sensitive string (RFC 6749
 * §2.2) and `5A…` is not the client we registered as `5a…`.
 */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True only for a UUID in the lower-case form this server mints. */
export function isCanonicalUuid(value: unknown): value is string {
  return typeof value === 'string' && CANONICAL_UUID.test(value);
}

/**
 * The one normalisation of usernames, applied by the code before every lookup, uniqueness check
 * and failure counter (the database compares the stored result and never case-maps on its own,
 * so `lower()` and JavaScript cannot disagree, as they do on `İ`): Unicode NFKC (compatibility
 * forms: full-width letters, ligatures), then case folding by upper- then lower-casing without
 * a locale (so `ß` = `ss`, `ς` = `σ`), then NFKC again so the result is stable.
 */
export function canonicalUsername(username: string): string {
  return username.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
}

// eslint-disable-next-line no-control-regex -- matching control characters, to refuse them, is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * Whether a protocol value has a control character other than tab, CR and LF (free text such as
 * an OTP message body, or JSON's whitespace in `claims`, may hold those). No protocol value needs
 * the others (RFC 6749 Appendix A: VSCHAR, NQCHAR, …), and PostgreSQL cannot store a NUL.
 */
export function hasControlCharacter(value: string): boolean {
  return CONTROL_CHARACTERS.test(value);
}
