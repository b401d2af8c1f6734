import { Writable } from 'node:stream';

import { announce, createLogger, LoggerSettings } from './logger';

function capture(settings: Omit<LoggerSettings, 'destination'>) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      callback();
    },
  });
  return { logger: createLogger({ ...settings, destination }), lines };
}

describe(createLogger.name, () => {
  it('writes JSON lines with the level name and an RFC 3339 time', () => {
    const { logger, lines } = capture({ level: 'info', format: 'json' });

    logger.info({ context: 'Test' }, 'hello');

    expect(JSON.parse(lines[0])).toEqual(
      expect.objectContaining({
        level: 'info',
        msg: 'hello',
        context: 'Test',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      }),
    );
  });

  it('redacts credentials at the top of a logged object, in its members and in headers', () => {
    const { logger, lines } = capture({ level: 'info', format: 'json' });

    logger.info(
      {
        req: {
          headers: { authorization: 'Bearer s3cr3t-1', cookie: 'sid=s3cr3t-2' },
          body: { password: 's3cr3t-3' },
        },
        res: { headers: { 'set-cookie': 'sid=s3cr3t-4', location: 'https://rp/cb?code=s3cr3t-5' } },
        client_secret: 's3cr3t-6',
        refresh_token: 's3cr3t-7',
        x_globalsign_iam_otp_code: 's3cr3t-8',
        user: { name: 'Alice', password: 's3cr3t-9' },
        error: { message: 'failed', token: 's3cr3t-10' },
      },
      'an object someone logged',
    );

    expect(lines[0]).not.toMatch(/s3cr3t/);
    expect(JSON.parse(lines[0]).req.headers.authorization).toBe('[redacted]');
    expect(JSON.parse(lines[0]).user).toEqual({ name: 'Alice', password: '[redacted]' });
  });

  it('maps verbose to trace and stays silent when asked', () => {
    const verbose = capture({ level: 'verbose', format: 'json' });
    const silent = capture({ level: 'silent', format: 'json' });

    verbose.logger.trace('fine detail');
    silent.logger.fatal('nothing');

    expect(JSON.parse(verbose.lines[0]).level).toBe('trace');
    expect(silent.lines).toEqual([]);
  });
});

describe(announce.name, () => {
  it('writes the line at info even when LOG_LEVEL is fatal', () => {
    const { logger, lines } = capture({ level: 'fatal', format: 'json' });

    logger.info('not this');
    announce(logger, 'admin token (this process only): x');

    expect(lines.map((line) => JSON.parse(line).msg)).toEqual([
      'admin token (this process only): x',
    ]);
  });

  it('writes nothing for a silenced logger', () => {
    const { logger, lines } = capture({ level: 'silent', format: 'json' });

    announce(logger, 'admin token (this process only): x');

    expect(lines).toEqual([]);
  });
});
