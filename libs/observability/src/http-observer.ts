import pino from 'pino';

import { AppLogger } from './logger';
import { Metrics, UNMATCHED_ROUTE } from './metrics';

/** Paths are logged up to this length: enough for every route, not a place to store megabytes. */
const MAX_LOGGED_PATH = 256;

/** What pino's stream takes: a line at a time. */
interface LineStream {
  write(line: string): unknown;
}

/**
 * The access log and the HTTP series: one call when a response is done. The HTTP adapter
 * (Express or Fastify) supplies what it knows; nothing here depends on which one it is.
 */
export class HttpObserver {
  private readonly logsRequests: boolean;
  /** JSON lines: the access line is written as pino would write it, without pino's generic path. */
  private readonly jsonStream: LineStream | null;
  /** `,"pid":…,"hostname":…` as pino writes the logger's base bindings. */
  private readonly bindings: string;
  private timeMs = -1;
  private timeField = '';
  /** Access lines of this turn of the event loop, written to the stream together at its end. */
  private pending = '';

  constructor(
    private readonly logger: AppLogger,
    private readonly metrics: Metrics,
    format: 'json' | 'pretty' = 'json',
  ) {
    this.logsRequests = logger.isLevelEnabled('info');
    const own = logger as unknown as Record<symbol, unknown>;
    this.jsonStream =
      format === 'json' ? ((own[pino.symbols.streamSym] as LineStream) ?? null) : null;
    // pino's base bindings as it writes them on every line (`,"pid":…,"hostname":…`).
    const chindings = own[pino.symbols.chindingsSym];
    this.bindings = typeof chindings === 'string' ? chindings : '';
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
    const whole = query === -1 ? url : url.slice(0, query);
    const path = whole.length > MAX_LOGGED_PATH ? `${whole.slice(0, MAX_LOGGED_PATH)}…` : whole;
    const duration = Math.round(durationMs * 100) / 100;
    if (!this.jsonStream) {
      this.logger.info(
        { req_id: reqId, method, path, route: template, status, duration_ms: duration },
        'request',
      );
      return;
    }
    // The line pino writes for the call above (same fields, order and time format), built
    // directly: at tens of thousands of requests a second pino's generic path (redaction of
    // fields this line never has, per-key serialization, a Date per line) was a tenth of the
    // cost of a metadata request.
    if (this.pending === '') setImmediate(this.flush);
    this.pending += `{"level":"info"${this.time()}${this.bindings},"req_id":${JSON.stringify(reqId)},"method":${JSON.stringify(method)},"path":${JSON.stringify(path)},"route":${JSON.stringify(template)},"status":${status},"duration_ms":${duration},"msg":"request"}\n`;
  }

  /**
   * One stream write per turn of the event loop instead of one per request: the stream measures
   * its pending text at every write, which at tens of thousands of lines a second cost more than
   * building them.
   */
  private readonly flush = (): void => {
    if (this.pending === '') return;
    const lines = this.pending;
    this.pending = '';
    this.jsonStream?.write(lines);
  };

  /** `,"time":"<RFC 3339>"` as pino's isoTime writes it, made once per millisecond. */
  private time(): string {
    const now = Date.now();
    if (now !== this.timeMs) {
      this.timeMs = now;
      this.timeField = `,"time":"${new Date(now).toISOString()}"`;
    }
    return this.timeField;
  }
}
