import { OAuthError } from '@app/errors';

// Connection-level failures: the database is down, restarting or unreachable.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EPIPE',
  'EAI_AGAIN',
  // 57014: statement_timeout ended a statement (a stuck lock or an overloaded server), not a bad query.
  '57014',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '53300',
]);
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error',
  'Connection ended',
  'not queryable',
];

/** True when `error` means the database cannot be reached (as opposed to a bad query). */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: string; message?: string; driverError?: unknown } | null;
  if (!e) return false;
  if (e.driverError) return isDatabaseUnavailable(e.driverError);
  // TypeORM releases a query runner itself when its connection emits an error; the next
  // statement of that transaction finds it released.
  if ((e as { name?: string }).name === 'QueryRunnerAlreadyReleasedError') return true;
  if (e.code && UNAVAILABLE_CODES.has(e.code)) return true;
  return typeof e.message === 'string' && UNAVAILABLE_MESSAGES.some((m) => e.message!.includes(m));
}

/**
 * PostgreSQL ended the statement to break a deadlock (40P01): nothing it did remains, and the
 * same statement may well succeed at once. After Database.query's retries, a 503 to try later.
 */
export function isDeadlock(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '40P01';
}

// Input PostgreSQL cannot store (a NUL in text, invalid UTF-8): the request's fault, not ours.
const UNSTORABLE_INPUT_CODES = new Set(['22021', '22P05', '54000']);

/**
 * Turns connection failures and deadlocks into 503 temporarily_unavailable and unstorable input into 400
 * invalid_request (a safety net behind the input checks); other errors pass through.
 */
export function translateDatabaseError(error: unknown): unknown {
  if (error instanceof OAuthError) return error;
  const code = (error as { code?: string } | null)?.code;
  if (code && UNSTORABLE_INPUT_CODES.has(code)) {
    return new OAuthError(
      'invalid_request',
      'The request contains characters or values that cannot be stored.',
      {
        detail: error instanceof Error ? error.message : String(error),
      },
    );
  }
  if (isDatabaseUnavailable(error) || isDeadlock(error)) {
    return new OAuthError('temporarily_unavailable', 'The service is temporarily unavailable.', {
      retryAfterSeconds: 5,
      detail: error instanceof Error ? error.message : String(error),
    });
  }
  return error;
}
