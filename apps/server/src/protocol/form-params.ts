import { OAuthError } from '@app/errors';

// Tab, CR and LF may appear in free text (an OTP message body); nothing needs the others.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function safeName(name: string): string {
  return /^[a-z0-9_]{1,64}$/i.test(name) ? name : 'a';
}

/**
 * The single-valued parameters of an application/x-www-form-urlencoded body.
 * RFC 6749 §3.1: parameters sent without a value are treated as omitted, and no parameter may
 * be included more than once.
 */
export function readFormParams(contentType: string | undefined, body: unknown): Record<string, string> {
  if (!contentType || !/^application\/x-www-form-urlencoded\b/i.test(contentType)) {
    throw new OAuthError('invalid_request', 'The request body must be application/x-www-form-urlencoded.');
  }
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    if (Array.isArray(value)) throw new OAuthError('invalid_request', `The ${name} parameter is repeated.`);
    if (typeof value !== 'string') throw new OAuthError('invalid_request', 'The request body is malformed.');
    // No protocol value contains control characters (RFC 6749 Appendix A: VSCHAR, NQCHAR, …);
    // PostgreSQL cannot even store a NUL.
    if (CONTROL_CHARACTERS.test(value) || CONTROL_CHARACTERS.test(name)) {
      throw new OAuthError('invalid_request', `The ${safeName(name)} parameter contains a control character.`);
    }
    if (value !== '') params[name] = value;
  }
  return params;
}

/** Only the named parameters: a handler never sees what it did not declare. */
export function pick(params: Record<string, string>, names: readonly string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) if (params[name] !== undefined) picked[name] = params[name];
  return picked;
}
