import 'reflect-metadata';

import type { Server } from 'node:http';
import { Writable } from 'node:stream';

import { DynamicModule, INestApplication, NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';

import { AppConfig, Clock } from '@app/config';
import { announce, createLogger, HttpObserver, Metrics, PinoNestLogger } from '@app/observability';

import { setupAdminDocs } from './admin/admin-docs';
import { AdminToken } from './admin/admin-token';
import { fastifyRequestId, observeExpress, observeFastify } from './http-observation';
import { corsPaths, setCorsHeaders } from './protocol/cors.middleware';
import { DirectRoutes } from './protocol/direct-routes';
import { BODY_LIMIT_BYTES, parseForm } from './protocol/form';
import { ServerModule } from './server.module';

export interface CreateAppOptions {
  /** Tests pass a FixedClock. */
  readonly clock?: Clock;
  /** Tests silence the logger. */
  readonly logger?: false;
  /** Where log lines go instead of stdout (tests read what the server logged). */
  readonly logDestination?: Writable;
}

/**
 * Builds the Nest application (not yet listening); main.ts and the e2e tests both call this.
 * HTTP_ADAPTER picks Fastify (the default) or Express; everything above the adapter is the same.
 * Every log line, Nest's included, goes through one pino logger (LOG_FORMAT, LOG_LEVEL).
 */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<INestApplication> {
  const silent = options.logger === false;
  const logger = createLogger({
    level: silent ? 'silent' : config.logLevel,
    format: config.logFormat,
    destination: options.logDestination,
  });
  const module = ServerModule.forRoot(config, options.clock);
  const appOptions: AppOptions = {
    bodyParser: false,
    logger: silent ? false : new PinoNestLogger(logger),
    abortOnError: false,
    // From the first step of a shutdown (before any module lets go of its caches or pools), a
    // new request gets 503 with Connection: close, on either adapter; requests in flight finish.
    return503OnClosing: true,
  };
  // One observer for the framework's requests and the direct routes': one access-line batch per turn.
  let observer: HttpObserver | undefined;
  const observe: Observe = (nest) =>
    (observer ??= new HttpObserver(logger, nest.get(Metrics), config.logFormat));
  const app =
    config.http.adapter === 'fastify'
      ? await createFastifyApp(module, appOptions, config, observe)
      : await createExpressApp(module, appOptions, config, observe);
  // The hottest protocol requests skip the framework (direct-routes.ts), on either adapter.
  new DirectRoutes(config, observe(app), app).install(
    app.getHttpServer() as Server,
    app.getHttpAdapter(),
  );
  setupAdminDocs(app);
  // Nest's default ends the process by raising the signal again, and a process killed by a
  // signal never emits 'exit': pino's asynchronous stream then loses what it still held (up to
  // 100 ms of lines, the last requests' access lines among them). process.exit after the hooks
  // lets pino write the rest first.
  app.enableShutdownHooks([], { useProcessExit: true });
  const adminToken = app.get(AdminToken).takeGenerated();
  if (adminToken) announce(logger, `admin token (this process only): ${adminToken}`);
  return app;
}

type AppOptions = NestApplicationOptions;
/** The process's one HttpObserver, made once the app (and its Metrics) exists. */
type Observe = (app: INestApplication) => HttpObserver;

async function createExpressApp(
  module: DynamicModule,
  options: AppOptions,
  config: AppConfig,
  observe: Observe,
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, options);
  observeExpress(app, observe(app));
  // The client address the sign-in limits count (TRUST_PROXY): the socket's peer unless trusted.
  app.set('trust proxy', trustProxySetting(config));
  app.useBodyParser('json', { limit: BODY_LIMIT_BYTES });
  app.useBodyParser('urlencoded', {
    extended: false,
    limit: BODY_LIMIT_BYTES,
    parameterLimit: 100,
  });
  app.disable('x-powered-by');
  // Endpoints that want an ETag set their own, computed once (discovery, JWKS).
  app.set('etag', false);
  return app;
}

async function createFastifyApp(
  module: DynamicModule,
  options: AppOptions,
  config: AppConfig,
  observe: Observe,
): Promise<INestApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: trustProxySetting(config),
    // Parse `__proto__` and `constructor` as plain members, as Express does, instead of failing
    // the parse: AdminValidationPipe refuses them with 400 naming the field (CONTRACT §4), and no
    // protocol endpoint reads JSON.
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
    // X-Request-Id (CONTRACT §5): kept when well-formed, else made; Fastify's own logger stays off.
    requestIdHeader: false,
    genReqId: fastifyRequestId,
    // No Nest middleware runs on Fastify (CORS is the hook below), so no middleware engine
    // runs on every request either.
    skipMiddie: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, options);
  observeFastify(app, observe(app));
  // CORS for the endpoints browsers call (what CorsMiddleware does on Express), on the path
  // without its query; a preflight is answered here, before routing reaches a handler.
  const cors = new Set(corsPaths(config));
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    const query = request.url.indexOf('?');
    if (!cors.has(query === -1 ? request.url : request.url.slice(0, query))) return done();
    if (!setCorsHeaders(request.raw, reply.raw)) return done();
    void reply.code(204).send();
  });
  app.useBodyParser('application/json', { bodyLimit: BODY_LIMIT_BYTES });
  app.useBodyParser(
    'application/x-www-form-urlencoded',
    { bodyLimit: BODY_LIMIT_BYTES },
    // async: a refused form (too many parameters) becomes a rejection the error filter renders.
    async (_req: unknown, body: Buffer) => parseForm(body),
  );
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
