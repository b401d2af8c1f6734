import { OAuthError } from '@app/errors';

/**
 * The one answer to every refused assertion (RFC 7522 §3.1: invalid_grant). The public
 * description never says which check failed; `detail` says it in the logs.
 */
export function rejectAssertion(detail: string): OAuthError {
  return new OAuthError('invalid_grant', 'The assertion is not valid.', { detail });
}
