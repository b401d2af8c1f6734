import { Writable } from 'node:stream';

import { createLogger } from './logger';
import { PinoNestLogger } from './nest-logger';

describe(PinoNestLogger.name, () => {
  let lines: string[];
  let sut: PinoNestLogger;

  beforeEach(() => {
    lines = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        callback();
      },
    });
    sut = new PinoNestLogger(createLogger({ level: 'debug', format: 'json', destination }));
  });

  const entries = () => lines.map((line) => JSON.parse(line));

  it('writes Nest log calls at the matching level with their context', () => {
    sut.log('started', 'NestApplication');
    sut.warn('careful', 'Keys');
    sut.debug('detail', 'Errors');
    sut.verbose('below the level', 'Errors');

    expect(entries()).toEqual([
      expect.objectContaining({ level: 'info', msg: 'started', context: 'NestApplication' }),
      expect.objectContaining({ level: 'warn', msg: 'careful', context: 'Keys' }),
      expect.objectContaining({ level: 'debug', msg: 'detail', context: 'Errors' }),
    ]);
  });

  it('keeps the stack Nest passes with an error', () => {
    sut.error('failed', 'Error: failed\n    at x', 'Errors');

    expect(entries()).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: 'failed',
        stack: 'Error: failed\n    at x',
        context: 'Errors',
      }),
    ]);
  });

  it('leaves a failed start to main.ts, which prints it as one line', () => {
    sut.error('database down', 'stack', 'ExceptionHandler');

    expect(lines).toEqual([]);
  });
});
