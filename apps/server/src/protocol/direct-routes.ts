import type { IncomingMessage, Server, ServerResponse } from 'node:http';

import { INestApplication, Logger } from '@nestjs/common';
import proxyaddr from 'proxy-addr';

import { AppConfig, routePath } from '@app/config';
import { DiscoveryService } from '@app/discovery';
import { renderOAuthError } from '@app/errors';
import { KeyStore } from '@app/keys';
import { HttpObserver, REQUEST_ID_HEADER, requestIdOf } from '@app/observability';

import { matchesEtag } from './cacheable-document';
import { DISCOVERY_MAX_AGE_SECONDS } from './discovery.controller';
import { BODY_LIMIT_BYTES, parseForm } from './form';
import { IntrospectionController } from './introspection.controller';
import { JWKS_MAX_AGE_SECONDS } from './jwks.controller';
import { TokenController } from './token.controller';
import { UserinfoController } from './userinfo.controller';

type Request = IncomingMessage;
type Response = ServerResponse;
/** Answers the request and returns true, or returns false having touched nothing. */
type DirectRoute = (req: Request, res: Response) => boolean;
type Listener = (req: Request, res: Response) => void;

/** A document's answers, made once per document: body and headers but the request id. */
interface PreparedDocument {
  readonly body: Buffer;
  readonly etag: string;
  /** Header name/value pairs; index 1 takes the request id. */
  readonly ok: readonly string[];
  readonly notModified: readonly string[];
}

/** The form bodies these routes read themselves; anything else is left to the framework. */
const PLAIN_FORM = /^application\/x-www-form-urlencoded\s*(;\s*charset="?utf-8"?\s*)?$/i;
const JSON_TYPE = 'application/json; charset=utf-8';
/** What the CORS hook and middleware set on these paths (cors.middleware.ts). */
const CORS = [
  'Access-Control-Allow-Origin',
  '*',
  'Access-Control-Expose-Headers',
  'WWW-Authenticate, Retry-After',
];
/** RFC 6749 §5.1: token and credential responses are not cached. */
const NO_STORE = ['Cache-Control', 'no-store', 'Pragma', 'no-cache'];

/**
 * The protocol's most frequent requests, answered from Node's request listener before the
 * HTTP framework sees them: metadata and JWKS (`GET`/`HEAD`), the token and introspection
 * endpoints (`POST` with a plain form body of a stated length) and UserInfo (`GET`).
 *
 * Why: these are the requests a relying party makes all day, and at their sizes the framework's
 * routing, hooks and reply pipeline cost as much as the work itself (README, Performance). The
 * work is not duplicated: each route calls the same controller method Nest would call, with the
 * same arguments, and answers errors with the exception filter's `renderOAuthError`; it adds
 * the same headers (X-Request-Id, CORS, no-store) and the same access line and metrics.
 *
 * A request of any other shape (another method, a preflight, a chunked or oversized body, another
 * content type, a path spelled differently, a key set due for reload) goes to Nest untouched, so
 * every answer the framework gives (405, 413, 415-style errors) stays the framework's.
 */
export class DirectRoutes {
  private readonly routes = new Map<string, DirectRoute>();
  private readonly prepared = new WeakMap<object, PreparedDocument>();
  private readonly errors = new Logger('Errors');
  private readonly trust: ((address: string, hop: number) => boolean) | null;

  constructor(
    private readonly config: AppConfig,
    private readonly observer: HttpObserver,
    app: INestApplication,
  ) {
    const trustProxy = config.http.trustProxy;
    this.trust = trustProxy === false ? null : proxyaddr.compile([...trustProxy]);
    const discovery = app.get(DiscoveryService);
    const keys = app.get(KeyStore);
    const token = app.get(TokenController);
    const introspection = app.get(IntrospectionController);
    const userinfo = app.get(UserinfoController);

    const metadata = this.documentRoute(
      () => discovery.document(),
      JSON_TYPE,
      `public, max-age=${DISCOVERY_MAX_AGE_SECONDS}`,
    );
    for (const name of ['openidConfiguration', 'oauthAuthorizationServer', 'metadataJson'] as const)
      this.add(name, metadata);
    this.add(
      'jwks',
      this.documentRoute(
        () => keys.currentJwksDocument(),
        // RFC 7517 §8.5 registers the type with no parameters (CONTRACT §3 names it exactly).
        'application/jwk-set+json',
        `public, max-age=${JWKS_MAX_AGE_SECONDS}`,
      ),
    );
    const tokenPath = routePath(config, 'token');
    this.add(
      'token',
      this.formRoute(tokenPath, (req, form, contentType) => {
        const ip = this.clientAddress(req);
        return token.token(contentType, req.headers.authorization, form, ip ?? undefined);
      }),
    );
    const introspectionPath = routePath(config, 'introspection');
    this.add(
      'introspection',
      this.formRoute(introspectionPath, (req, form, contentType) =>
        introspection.introspect(contentType, req.headers.authorization, form),
      ),
    );
    const userinfoPath = routePath(config, 'userinfo');
    this.add('userinfo', (req, res) => {
      if (req.method !== 'GET') return false;
      const started = performance.now();
      let contentType = JSON_TYPE;
      const sink = {
        setHeader(name: string, value: string) {
          if (name.toLowerCase() === 'content-type') contentType = value;
        },
      };
      this.answer(req, res, userinfoPath, started, async () => ({
        body: await userinfo.get(req.headers.authorization, sink),
        contentType,
      })).catch((error: unknown) => this.failed(res, error));
      return true;
    });
  }

  /**
   * Puts these routes in front of whatever answers the server's requests now (Fastify or
   * Express). From the start of a shutdown (Nest's `beforeClose`, before any module stops) every
   * request goes to the framework, which answers 503 with Connection: close
   * (`return503OnClosing`): answered here, a busy keep-alive client would hold the shutdown open,
   * and be served by caches that no longer hear of revocations.
   */
  install(server: Server, adapter: { beforeClose?(): unknown }): void {
    const listeners = server.listeners('request') as Listener[];
    server.removeAllListeners('request');
    let closing = false;
    const beforeClose = adapter.beforeClose?.bind(adapter);
    adapter.beforeClose = () => {
      closing = true;
      return beforeClose?.();
    };
    server.on('request', (req: Request, res: Response) => {
      if (!closing) {
        const route = this.routes.get(pathOf(req.url ?? ''));
        if (route?.(req, res)) return;
      }
      for (const listener of listeners) listener.call(server, req, res);
    });
  }

  private add(name: Parameters<typeof routePath>[1], route: DirectRoute): void {
    this.routes.set(routePath(this.config, name), route);
  }

  /** RFC 9110 §13.1.2: a strong ETag, 304 when If-None-Match names it; HEAD without the body. */
  private documentRoute(
    current: () => { readonly body: string; readonly etag: string } | null,
    contentType: string,
    cacheControl: string,
  ): DirectRoute {
    return (req, res) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      const document = current();
      if (!document) return false;
      const started = performance.now();
      let prepared = this.prepared.get(document);
      if (!prepared) {
        prepared = prepare(document, contentType, cacheControl);
        this.prepared.set(document, prepared);
      }
      const ifNoneMatch = req.headers['if-none-match'];
      const status = ifNoneMatch && matchesEtag(ifNoneMatch, prepared.etag) ? 304 : 200;
      const headers = (status === 200 ? prepared.ok : prepared.notModified).slice();
      const id = requestIdOf(req.headers['x-request-id']);
      headers[1] = id;
      res.writeHead(status, headers);
      // Node leaves the body out of a HEAD answer itself.
      res.end(status === 200 ? prepared.body : undefined);
      const url = req.url ?? '';
      this.observer.record(id, req.method, url, pathOf(url), status, performance.now() - started);
      return true;
    };
  }

  /** A POST whose body is a plain form of a stated length within the body limit. */
  private formRoute(
    template: string,
    handle: (
      req: Request,
      form: Record<string, string | string[]>,
      contentType: string,
    ) => Promise<unknown>,
  ): DirectRoute {
    return (req, res) => {
      const contentType = req.headers['content-type'];
      const length = req.headers['content-length'];
      if (
        req.method !== 'POST' ||
        !contentType ||
        !PLAIN_FORM.test(contentType) ||
        length === undefined ||
        req.headers['transfer-encoding'] !== undefined ||
        // A compressed body is the framework's to decode (Express does) or refuse.
        (req.headers['content-encoding'] ?? 'identity').toLowerCase() !== 'identity' ||
        !(Number(length) <= BODY_LIMIT_BYTES)
      ) {
        return false;
      }
      const started = performance.now();
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      // A client that goes away mid-body gets no answer; the socket is already gone.
      req.on('error', () => undefined);
      req.on('end', () => {
        const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
        this.answer(req, res, template, started, async () => ({
          body: await handle(req, parseForm(body), contentType),
          contentType: JSON_TYPE,
        })).catch((error: unknown) => this.failed(res, error));
      });
      return true;
    };
  }

  /** Runs the controller method and writes its result, or its error as the filter would. */
  private async answer(
    req: Request,
    res: Response,
    template: string,
    started: number,
    work: () => Promise<{ body: unknown; contentType: string }>,
  ): Promise<void> {
    const id = requestIdOf(req.headers['x-request-id']);
    let status = 200;
    let headers: string[];
    let payload: string;
    try {
      const result = await work();
      payload = typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
      headers = [REQUEST_ID_HEADER, id, ...CORS, ...NO_STORE, 'Content-Type', result.contentType];
    } catch (error: unknown) {
      const rendered = renderOAuthError(error, this.errors);
      status = rendered.status;
      payload = JSON.stringify(rendered.body);
      headers = [REQUEST_ID_HEADER, id, ...CORS];
      for (const [name, value] of rendered.headers) headers.push(name, value);
      headers.push('Content-Type', JSON_TYPE);
    }
    headers.push('Content-Length', String(Buffer.byteLength(payload)));
    res.writeHead(status, headers);
    res.end(payload);
    this.observer.record(
      id,
      req.method ?? '',
      req.url ?? '',
      template,
      status,
      performance.now() - started,
    );
  }

  /**
   * What `answer` could not write (it renders every error of the work itself): logged, and the
   * connection ended, so a broken answer never reaches the client or the process.
   */
  private failed(res: Response, error: unknown): void {
    // Logged with its stack, answered as server_error: what the filter does with the unknown.
    const rendered = renderOAuthError(error, this.errors);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = JSON.stringify(rendered.body);
    const headers = [...CORS, 'Content-Type', JSON_TYPE, 'Content-Length', String(body.length)];
    for (const [name, value] of rendered.headers) headers.push(name, value);
    res.writeHead(rendered.status, headers);
    res.end(body);
  }

  /** The client's address as the framework computes it under TRUST_PROXY (proxy-addr, as both use). */
  private clientAddress(req: Request): string | null {
    if (!this.trust) return req.socket.remoteAddress ?? null;
    return proxyaddr(req, this.trust);
  }
}

/** RFC 9110 §15.4.5: a 304 carries the validators and caching headers, not the content's. */
function prepare(
  document: { readonly body: string; readonly etag: string },
  contentType: string,
  cacheControl: string,
): PreparedDocument {
  const body = Buffer.from(document.body);
  const common = [
    REQUEST_ID_HEADER,
    '',
    ...CORS,
    'Cache-Control',
    cacheControl,
    'ETag',
    document.etag,
  ];
  return {
    body,
    etag: document.etag,
    ok: [...common, 'Content-Type', contentType, 'Content-Length', String(body.length)],
    notModified: common,
  };
}

/** The URL without its query: a document's route template is its path. */
function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
