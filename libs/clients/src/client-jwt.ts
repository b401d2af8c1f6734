/**
 * Explicit types (RFC 8725 §3.11) of the JWTs a client signs for us. Each verifier accepts its
 * own type or none, so a JWT typed for one purpose is refused for the other.
 */
export const ClientJwtType = {
  /** A client assertion (RFC 7523 §3): RFC 7519 §5.1's generic `JWT`, as clients send it. */
  ClientAssertion: 'JWT',
  /** A request object (RFC 9101 §4, §10.8). */
  RequestObject: 'oauth-authz-req+jwt',
} as const;

export type ClientJwtType = (typeof ClientJwtType)[keyof typeof ClientJwtType];

/**
 * True when the JOSE header has no `typ` or names `type`. RFC 7515 §4.1.9: media types compare
 * without case, and a value without `/` means `application/<value>`.
 */
export function isUntypedOr(
  header: Readonly<Record<string, unknown>>,
  type: ClientJwtType,
): boolean {
  const { typ } = header;
  if (typ === undefined) return true;
  return typeof typ === 'string' && mediaType(typ) === mediaType(type);
}

/**
 * True when `aud` is one of `allowed`, or a non-empty array of nothing else: an audience we do
 * not recognise means the JWT was also meant for someone else (RFC 8725 §3.9, §3.12).
 */
export function hasOnlyAudiences(aud: unknown, allowed: readonly string[]): boolean {
  const values: unknown[] = Array.isArray(aud) ? aud : [aud];
  return (
    values.length > 0 &&
    values.every((value) => typeof value === 'string' && allowed.includes(value))
  );
}

function mediaType(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.includes('/') ? lower : `application/${lower}`;
}
