import 'reflect-metadata';

import { ConsoleLogger, DynamicModule, INestApplication, LogLevel, NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';

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

/** Small bodies only: nothing this server accepts is large (RFC 6749 requests, admin JSON). */
const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Builds the Nest application (not yet listening); main.ts and the e2e tests both call this.
 * HTTP_ADAPTER picks Express (the default) or Fastify; everything above the adapter is the same.
 */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<INestApplication> {
  const level = config.logLevel === 'info' ? 'log' : config.logLevel;
  const module = ServerModule.forRoot(config, options.clock);
  const appOptions: AppOptions = {
    bodyParser: false,
    logger:
      options.logger === false
        ? false
        : new ServerLogger({ logLevels: LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1) }),
    abortOnError: false,
  };
  const app =
    config.http.adapter === 'fastify'
      ? await createFastifyApp(module, appOptions, config)
      : await createExpressApp(module, appOptions, config);
  setupAdminDocs(app);
  app.enableShutdownHooks();
  return app;
}

type AppOptions = NestApplicationOptions;

async function createExpressApp(module: DynamicModule, options: AppOptions, config: AppConfig): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, options);
  // The client address the sign-in limits count (TRUST_PROXY): the socket's peer unless trusted.
  app.set('trust proxy', trustProxySetting(config));
  app.useBodyParser('json', { limit: BODY_LIMIT_BYTES });
  app.useBodyParser('urlencoded', { extended: false, limit: BODY_LIMIT_BYTES, parameterLimit: 100 });
  app.disable('x-powered-by');
  // Endpoints that want an ETag set their own, computed once (discovery, JWKS).
  app.set('etag', false);
  return app;
}

async function createFastifyApp(module: DynamicModule, options: AppOptions, config: AppConfig): Promise<INestApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: trustProxySetting(config),
    // Parse `__proto__` and `constructor` as plain members, as Express does, instead of failing
    // the parse: AdminValidationPipe refuses them with 400 naming the field (CONTRACT §4), and no
    // protocol endpoint reads JSON.
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, options);
  app.useBodyParser('application/json', { bodyLimit: BODY_LIMIT_BYTES });
  app.useBodyParser('application/x-www-form-urlencoded', { bodyLimit: BODY_LIMIT_BYTES }, parseForm);
  // Like Express without a parser for the type: the body is left unread and handlers see none,
  // so they answer invalid_request themselves instead of a bare 415 from the framework.
  app.useBodyParser('*', { bodyLimit: BODY_LIMIT_BYTES }, () => Promise.resolve(undefined));
  return app;
}

/** TRUST_PROXY in the form both Express's `trust proxy` and Fastify's `trustProxy` take. */
function trustProxySetting(config: AppConfig): false | string[] {
  const { trustProxy } = config.http;
  return typeof trustProxy === 'object' ? [...trustProxy] : trustProxy;
}

/**
 * application/x-www-form-urlencoded as Express's urlencoded({ extended: false }) reads it: a
 * repeated name becomes an array (handlers refuse repeats), at most 100 parameters.
 */
function parseForm(_req: unknown, body: Buffer): Promise<Record<string, string | string[]>> {
  const params = new URLSearchParams(body.toString('utf8'));
  const form: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  let count = 0;
  for (const [name, value] of params) {
    if ((count += 1) > 100) break;
    const seen = form[name];
    form[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return Promise.resolve(form);
}
