import 'reflect-metadata';

import { ConsoleLogger, INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';

import { AppConfig, Clock } from '@app/config';

import { setupAdminDocs } from './admin/admin-docs';
import { ServerModule } from './server.module';

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * Nest logs a failed start (database down, wrong MASTER_KEY) with its stack under the
 * ExceptionHandler context and then rethrows; main.ts prints that failure as one line instead.
 */
class ServerLogger extends ConsoleLogger {
  override error(message: unknown, ...rest: unknown[]): void {
    if (rest.at(-1) === 'ExceptionHandler') return;
    super.error(message, ...(rest as [string?, string?]));
  }
}

export interface CreateAppOptions {
  /** Tests pass a FixedClock. */
  readonly clock?: Clock;
  /** Tests silence the logger. */
  readonly logger?: false;
}

/** Builds the Nest application (not yet listening); main.ts and the e2e tests both call this. */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<INestApplication> {
  const level = config.logLevel === 'info' ? 'log' : config.logLevel;
  const app = await NestFactory.create<NestExpressApplication>(ServerModule.forRoot(config, options.clock), {
    bodyParser: false,
    logger:
      options.logger === false
        ? false
        : new ServerLogger({ logLevels: LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1) }),
    abortOnError: false,
  });
  // Small bodies only: nothing this server accepts is large (RFC 6749 requests, admin JSON).
  app.useBodyParser('json', { limit: '64kb' });
  app.useBodyParser('urlencoded', { extended: false, limit: '64kb', parameterLimit: 100 });
  app.disable('x-powered-by');
  setupAdminDocs(app);
  app.enableShutdownHooks();
  return app;
}
