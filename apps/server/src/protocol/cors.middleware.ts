import { Injectable, NestMiddleware } from '@nestjs/common';

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
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Expose-Headers', 'WWW-Authenticate, Retry-After');
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type');
      res.setHeader('Access-Control-Max-Age', '600');
      res.statusCode = 204;
      res.end();
      return;
    }
    next();
  }
}
