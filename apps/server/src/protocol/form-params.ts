import { OAuthError } from '@app/errors';

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
