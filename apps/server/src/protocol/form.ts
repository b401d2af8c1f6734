import { OAuthError } from '@app/errors';

/** Small bodies only: nothing this server accepts is large (RFC 6749 requests, admin JSON). */
export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * More parameters than any request of this server has: a form with more is refused whole (as
 * Express's body-parser does, 413), not cut short, since a parameter repeated beyond the cut
 * would go unseen (RFC 6749 §3.1: none may be sent twice).
 */
const MAX_PARAMETERS = 100;

type Form = Record<string, string | string[]>;

/**
 * application/x-www-form-urlencoded as Express's urlencoded({ extended: false }) reads it: a
 * repeated name becomes an array (handlers refuse repeats); more than 100 parameters is
 * `payload_too_large`.
 *
 * The names and values of WHATWG URL §5.1 (what URLSearchParams gives), read directly: every
 * token request pays for this, and URLSearchParams' object and iterator were several
 * microseconds of it. A body this reading cannot decode exactly as URLSearchParams would (a
 * malformed percent sequence, bytes that are no UTF-8, a leading '?') is read by
 * URLSearchParams itself.
 */
export function parseForm(body: Buffer): Form {
  const text = body.toString('utf8');
  if (text.charCodeAt(0) === 0x3f /* ? */) return parseWithUrlSearchParams(text);
  const form = Object.create(null) as Form;
  let count = 0;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    if ((count += 1) > MAX_PARAMETERS) throw tooManyParameters();
    const eq = pair.indexOf('=');
    const name = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = decode(eq === -1 ? '' : pair.slice(eq + 1));
    if (name === null || value === null) return parseWithUrlSearchParams(text);
    add(form, name, value);
  }
  return form;
}

/** `+` is a space, then percent-decoding as UTF-8; null where URLSearchParams would differ. */
function decode(raw: string): string | null {
  if (raw.indexOf('%') === -1 && raw.indexOf('+') === -1) return raw;
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

function parseWithUrlSearchParams(text: string): Form {
  const form = Object.create(null) as Form;
  let count = 0;
  for (const [name, value] of new URLSearchParams(text)) {
    if ((count += 1) > MAX_PARAMETERS) throw tooManyParameters();
    add(form, name, value);
  }
  return form;
}

function tooManyParameters(): OAuthError {
  return new OAuthError('payload_too_large', 'The request body is too large.', {
    status: 413,
  });
}

function add(form: Form, name: string, value: string): void {
  const seen = form[name];
  form[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
}
