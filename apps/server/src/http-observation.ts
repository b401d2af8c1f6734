import type { IncomingMessage } from 'node:http';

import { NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { NextFunction, Request, Response } from 'express';

import { HttpObserver, REQUEST_ID_HEADER, requestIdOf } from '@app/observability';

/**
 * Express: the first middleware, before the body parsers, so every response (a 413 as well)
 * carries X-Request-Id and gets its access line. `req.route` is the matched route template;
 * requests no route answered (unknown paths, CORS preflights, bodies the parsers refused before
 * routing) have none.
 */
export function observeExpress(app: NestExpressApplication, observer: HttpObserver): void {
  app.use((req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    const id = requestIdOf(req.headers['x-request-id']);
    res.setHeader(REQUEST_ID_HEADER, id);
    res.once('finish', () => {
      const route = (req.route as { path?: unknown } | undefined)?.path;
      const template = typeof route === 'string' ? req.baseUrl + route : undefined;
      observer.record(
        id,
        req.method,
        req.originalUrl,
        template,
        res.statusCode,
        performance.now() - started,
      );
    });
    next();
  });
}

/** Fastify's request id, taken from X-Request-Id when well-formed (see `requestIdOf`). */
export function fastifyRequestId(req: IncomingMessage): string {
  return requestIdOf(req.headers['x-request-id']);
}

/**
 * Fastify: the adapter's own request and response hooks, which run before Nest middleware
 * (so a preflight a middleware answers is covered too). The header goes on the Node response,
 * which Fastify merges into whatever it sends, errors included. `routeOptions.url` is the
 * route template; the not-found handler has none.
 */
export function observeFastify(app: NestFastifyApplication, observer: HttpObserver): void {
  const adapter = app.getHttpAdapter() as FastifyAdapter;
  adapter.setOnRequestHook((request, reply, done) => {
    reply.raw.setHeader(REQUEST_ID_HEADER, request.id);
    done();
  });
  adapter.setOnResponseHook((request, reply, done) => {
    observer.record(
      request.id,
      request.method,
      request.url,
      request.routeOptions.url,
      reply.statusCode,
      reply.elapsedTime,
    );
    done();
  });
}
