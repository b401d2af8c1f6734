import { Injectable, NestMiddleware } from '@nestjs/common';

import { AppConfig, RouteName, routePath } from '@app/config';

/** The endpoints browser applications call across origins. */
const CORS_ROUTES: RouteName[] = [
  'openidConfiguration',
  'oauthAuthorizationServer',
  'metadataJson',
  'jwks',
  'token',
  'userinfo',
  'introspection',
  'revocation',
];

/** The paths (below the issuer path) that answer with CORS headers. */
export function corsPaths(config: AppConfig): string[] {
  return CORS_ROUTES.map((route) => routePath(config, route));
}

interface HeaderRequest {
  method?: string;
  headers: Record<string, string | string[] | undefined>;
}
interface HeaderResponse {
  setHeader(name: string, value: string): unknown;
  statusCode: number;
  end(): unknown;
}

/**
 * CORS for the endpoints a browser application calls directly (ubisecure-notes §16: token,
 * userinfo, introspection, revocation, metadata, JWKS). Any origin, no cookies: these
 * endpoints authenticate by client credentials or bearer tokens, never by ambient cookies,
 * so a page on another origin gains nothing it could not do without CORS.
 */
@Injectable()
export class CorsMiddleware implements NestMiddleware {
  use(req: HeaderRequest, res: HeaderResponse, next: () => void): void {
    if (setCorsHeaders(req, res)) {
      res.statusCode = 204;
      res.end();
      return;
    }
    next();
  }
}

/**
 * Sets the CORS headers on `res`; true when `req` is a preflight, which the caller answers with
 * an empty 204. Shared by the Express middleware and the Fastify request hook (create-app.ts).
 */
export function setCorsHeaders(
  req: HeaderRequest,
  res: Pick<HeaderResponse, 'setHeader'>,
): boolean {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', 'WWW-Authenticate, Retry-After');
  if (req.method !== 'OPTIONS' || !req.headers['access-control-request-method']) return false;
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
  res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
  res.setHeader('Access-Control-Max-Age', '600');
  return true;
}
