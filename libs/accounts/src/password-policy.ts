import { OAuthError } from '@app/errors';
import { canonicalUsername } from '@app/persistence';

/** NIST SP 800-63B §3.1.1.2: at least 8 characters; an upper bound keeps hashing cheap. */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/**
 * Checks a new password against the policy: 8–128 characters (code points), and not the
 * username in any spelling that names the same user (canonicalUsername). Throws invalid_request naming the `password` field.
 */
export function assertPasswordAllowed(password: string, username: string): void {
  const problems: string[] = [];
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) {
    problems.push(`must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long`);
  }
  if (canonicalUsername(password) === canonicalUsername(username)) {
    problems.push('must not be the username');
  }
  if (problems.length > 0) {
    throw new OAuthError('invalid_request', 'The password does not meet the password policy.', {
      fields: [{ field: 'password', problems }],
    });
  }
}
