import { OAuthError } from '@app/errors';

/**
 * The one answer to every failed client authentication (RFC 6749 §5.2 invalid_client): the
 * description never says which check failed; `detail` does, for the logs only.
 */
export function clientAuthFailed(detail: string): OAuthError {
  return new OAuthError('invalid_client', 'Client authentication failed.', { status: 401, detail });
}
