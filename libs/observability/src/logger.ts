import pino, { DestinationStream, Logger, LoggerOptions } from 'pino';
import pretty from 'pino-pretty';

/** A pino logger: JSON lines (or pretty lines), levels, redaction. */
export type AppLogger = Logger;

export interface LoggerSettings {
  /** LOG_LEVEL; Nest's `verbose` is pino's `trace`. `silent` logs nothing. */
  readonly level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'verbose' | 'silent';
  readonly format: 'json' | 'pretty';
  /** Where lines go; stdout when absent. Tests pass a stream they read. */
  readonly destination?: DestinationStream;
}

/**
 * Never logged (CONTRACT §5: no secret, token, password, code or OTP in a log line) at the top of
 * a logged object, in any of its members, or in a request's or response's headers. The server
 * logs no headers, bodies or query strings in the first place; this is the second line of
 * defence for an object someone logs later. fast-redact has no wildcard for any depth, and each
 * path is a check at every log call with an object, so the paths stop there.
 */
const REDACTED_KEYS = [
  'authorization',
  'cookie',
  'set-cookie',
  'location',
  'password',
  'client_secret',
  'client_assertion',
  'code',
  'code_verifier',
  'access_token',
  'refresh_token',
  'id_token',
  'token',
  'assertion',
  'otp',
  'x_globalsign_iam_otp_code',
  'x_globalsign_iam_reference_id',
  'secret',
  'body',
  'query',
];
const REDACT_PATHS = [
  ...REDACTED_KEYS.map((key) => `["${key}"]`),
  // One level down in any member (`{ user: { password } }`, `{ error: { token } }`).
  ...REDACTED_KEYS.map((key) => `*["${key}"]`),
  ...['req.headers', 'res.headers'].flatMap((parent) =>
    REDACTED_KEYS.map((key) => `${parent}["${key}"]`),
  ),
];

/** Builds the one logger of a process: Nest's log calls, the access log and notices share it. */
export function createLogger(settings: LoggerSettings): AppLogger {
  const options: LoggerOptions = {
    level: settings.level === 'verbose' ? 'trace' : settings.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // Level names, not numbers, and RFC 3339 times: what a person reading a log collector expects.
    formatters: { level: (label) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (settings.format === 'pretty') {
    const stream = pretty({
      destination: settings.destination ?? 1,
      sync: true,
      singleLine: true,
      colorize: settings.destination === undefined && process.stdout.isTTY === true,
      ignore: 'pid,hostname,context',
      messageFormat: '{if context}[{context}] {end}{msg}',
      translateTime: 'SYS:HH:MM:ss.l',
    });
    return pino(options, stream);
  }
  // Asynchronous writes in batches of at least 4 KiB, or whatever 100 ms gathered: one system
  // call per line cost a third of the CPU of a metadata request (README, Performance). Not much
  // larger: sonic-boom measures its whole pending string at every write. pino flushes what is
  // left when the process exits; a SIGKILL loses at most the last 100 ms.
  return pino(
    options,
    settings.destination ??
      pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 100 }),
  );
}

/**
 * A line written whatever LOG_LEVEL is (the generated admin token at start): the operator
 * needs it, and it goes where the logs go, in their format.
 */
export function announce(logger: AppLogger, message: string): void {
  if (logger.level === 'silent') return;
  logger.child({}, { level: 'info' }).info(message);
}
