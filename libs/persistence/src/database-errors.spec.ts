import { OAuthError } from '@app/errors';

import { isDatabaseUnavailable, translateDatabaseError } from './database-errors';

/** An error as Node's net and dns modules raise it (pg passes them on as they are). */
function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 10.0.0.5:5432`), {
    code,
    errno: -1,
    syscall: 'connect',
  });
}

describe(isDatabaseUnavailable.name, () => {
  it.each([
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
  ])('takes %s for an unreachable database, alone or as a driver error', (code) => {
    expect(isDatabaseUnavailable(socketError(code))).toBe(true);
    expect(
      isDatabaseUnavailable(
        Object.assign(new Error('query failed'), { driverError: socketError(code) }),
      ),
    ).toBe(true);
  });

  it.each([
    ['a syntax error', '42601'],
    ['a unique violation', '23505'],
    ['a file the process may not open', 'EACCES'],
  ])('takes %s for no outage', (_name, code) => {
    expect(isDatabaseUnavailable(Object.assign(new Error('failed'), { code }))).toBe(false);
  });
});

describe(translateDatabaseError.name, () => {
  it.each(['ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'ECONNABORTED'])(
    'answers %s with 503 temporarily_unavailable and Retry-After, not 500',
    (code) => {
      const translated = translateDatabaseError(socketError(code));

      expect(translated).toBeInstanceOf(OAuthError);
      const error = translated as OAuthError;
      expect([error.code, error.status, error.options.retryAfterSeconds]).toEqual([
        'temporarily_unavailable',
        503,
        5,
      ]);
    },
  );

  it('passes any other error on as it is', () => {
    const error = Object.assign(new Error('syntax error'), { code: '42601' });

    expect(translateDatabaseError(error)).toBe(error);
  });
});
