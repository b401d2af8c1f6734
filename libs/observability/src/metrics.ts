import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

import { HttpSeries } from './http-series';

/** The Prometheus text exposition format's media type (what GET /metrics answers with). */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** The `route` label of a request no route answered: one value, whatever the path (label cardinality). */
export const UNMATCHED_ROUTE = 'unmatched';

/** How full the database connection pool is, as pg's Pool counts it. */
export interface PoolStats {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

export type SignInOutcome = 'success' | 'failure';

/** What became of one attempt to post a logout token (Back-Channel Logout 1.0 §2.5). */
export type BackchannelOutcome = 'delivered' | 'retried' | 'abandoned';

/** Seconds; the server answers most requests in milliseconds, a password check in a few hundred. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The process defaults (CPU, memory, event loop, GC) once per process: they describe the
 * process, not an application in it, and each collector set keeps its own GC observer.
 */
let processRegistry: Registry | null = null;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * The server's Prometheus series (CONTRACT §5). One instance per application, in a registry of
 * its own, so two applications in one process (the tests) never share counts. Services count
 * what they did (a token response, a password check); the HTTP layer counts requests.
 */
@Injectable()
export class Metrics {
  private readonly registry = new Registry();

  /** Registered first, so the exposition keeps its order: the HTTP series, then the server's own. */
  private readonly http = new HttpSeries(this.registry, DURATION_BUCKETS);

  private readonly tokensIssued = new Counter({
    name: 'uas_tokens_issued_total',
    help: 'Token responses issued, by grant_type.',
    labelNames: ['grant_type'] as const,
    registers: [this.registry],
  });

  private readonly signIns = new Counter({
    name: 'uas_signins_total',
    help: 'Password checks (login page and password grant), by outcome.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly backchannelDeliveries = new Counter({
    name: 'uas_backchannel_logout_deliveries_total',
    help: 'Attempts to post a logout token to a client: delivered, retried later, or abandoned after the last try.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly backchannelDuration = new Histogram({
    name: 'uas_backchannel_logout_duration_seconds',
    help: 'Time one post of a logout token took, whatever its outcome.',
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  private poolStats: (() => PoolStats) | null = null;
  private backchannelQueue: (() => number | null) | null = null;

  constructor() {
    // Started with the application, so the event-loop delay monitor has samples by the first scrape.
    processMetrics();
    // Both outcomes exist from the start, so a rate over them is defined before the first failure.
    this.signIns.inc({ outcome: 'success' }, 0);
    this.signIns.inc({ outcome: 'failure' }, 0);
    for (const outcome of ['delivered', 'retried', 'abandoned'] as const)
      this.backchannelDeliveries.inc({ outcome }, 0);
    const queue = () => this.backchannelQueue?.() ?? null;
    new Gauge({
      name: 'uas_backchannel_logout_queue',
      help: 'Logout tokens waiting for delivery, on every instance together (as of the last poll, at most a second old).',
      registers: [this.registry],
      collect() {
        const pending = queue();
        if (pending !== null) this.set(pending);
      },
    });
    this.poolGauge(
      'uas_db_pool_connections',
      'Connections the database pool holds, idle and in use.',
      (s) => s.total,
    );
    this.poolGauge(
      'uas_db_pool_idle_connections',
      'Connections of the database pool that are idle.',
      (s) => s.idle,
    );
    this.poolGauge(
      'uas_db_pool_waiting_requests',
      'Queries waiting for a free connection of the database pool.',
      (s) => s.waiting,
    );
  }

  /** One HTTP request answered; `route` is the route template, never the raw path. */
  countRequest(method: string, route: string, status: number, durationSeconds: number): void {
    this.http.count(method, route, status, durationSeconds);
  }

  /** One token response issued (TokenService), labelled with the grant_type wire value. */
  countTokensIssued(grantType: string): void {
    this.tokensIssued.inc({ grant_type: grantType });
  }

  /** One password check finished with an answer (PasswordLogin). */
  countSignIn(outcome: SignInOutcome): void {
    this.signIns.inc({ outcome });
  }

  /** One attempt to post a logout token finished (the back-channel sender). */
  countBackchannelDelivery(outcome: BackchannelOutcome, durationSeconds: number): void {
    this.backchannelDeliveries.inc({ outcome });
    this.backchannelDuration.observe(durationSeconds);
  }

  /** Where the back-channel queue gauge reads from (set once at start); null until known. */
  observeBackchannelQueue(read: () => number | null): void {
    this.backchannelQueue = read;
  }

  /** Where the pool gauges read from at each scrape (the database handle; set once at start). */
  observeDatabasePool(read: () => PoolStats): void {
    this.poolStats = read;
  }

  /** The Prometheus text exposition of this application's series and the process defaults. */
  async render(): Promise<string> {
    const [own, process] = await Promise.all([this.registry.metrics(), processMetrics().metrics()]);
    return `${own}\n${process}`;
  }

  private poolGauge(name: string, help: string, read: (stats: PoolStats) => number): void {
    const stats = () => this.poolStats?.() ?? null;
    new Gauge({
      name,
      help,
      registers: [this.registry],
      // Read at scrape time: the pool counts live, so there is nothing to keep up to date.
      collect() {
        const current = stats();
        if (current) this.set(read(current));
      },
    });
  }
}
