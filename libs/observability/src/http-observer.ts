import { AppLogger } from './logger';
import { Metrics, UNMATCHED_ROUTE } from './metrics';

/** Paths are logged up to this length: enough for every route, not a place to store megabytes. */
const MAX_LOGGED_PATH = 256;

/**
 * The access log and the HTTP series: one call when a response is done. The HTTP adapter
 * (Express or Fastify) supplies what it knows; nothing here depends on which one it is.
 */
export class HttpObserver {
  private readonly logsRequests: boolean;

  constructor(
    private readonly logger: AppLogger,
    private readonly metrics: Metrics,
  ) {
    this.logsRequests = logger.isLevelEnabled('info');
  }

  /**
   * One line per request: `req_id`, method, the path without its query (protocol queries and
   * redirect targets carry codes and tokens, so neither is logged), the route template, status
   * and duration. Never headers or bodies.
   */
  record(
    reqId: string,
    method: string,
    url: string,
    route: string | undefined,
    status: number,
    durationMs: number,
  ): void {
    const template = route ?? UNMATCHED_ROUTE;
    this.metrics.countRequest(method, template, status, durationMs / 1000);
    if (!this.logsRequests) return;
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    this.logger.info(
      {
        req_id: reqId,
        method,
        path: path.length > MAX_LOGGED_PATH ? `${path.slice(0, MAX_LOGGED_PATH)}…` : path,
        route: template,
        status,
        duration_ms: Math.round(durationMs * 100) / 100,
      },
      'request',
    );
  }
}
