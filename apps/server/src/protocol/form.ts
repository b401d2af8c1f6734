/** Small bodies only: nothing this server accepts is large (RFC 6749 requests, admin JSON). */
export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * application/x-www-form-urlencoded as Express's urlencoded({ extended: false }) reads it: a
 * repeated name becomes an array (handlers refuse repeats), at most 100 parameters.
 */
export function parseForm(body: Buffer): Record<string, string | string[]> {
  const params = new URLSearchParams(body.toString('utf8'));
  const form: Record<string, string | string[]> = Object.create(null) as Record<
    string,
    string | string[]
  >;
  let count = 0;
  for (const [name, value] of params) {
    if ((count += 1) > 100) break;
    const seen = form[name];
    form[name] =
      seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return form;
}
