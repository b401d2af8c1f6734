/** Provides Metrics to the services that count what they do. */
export { ObservabilityModule } from './observability.module';
/** The Prometheus series of CONTRACT §5: HTTP requests, tokens issued, sign-ins, database pool, process. */
export { Metrics, METRICS_CONTENT_TYPE, UNMATCHED_ROUTE } from './metrics';
export type { BackchannelOutcome, PoolStats, SignInOutcome } from './metrics';
/** JSON (or pretty) log lines with redaction; `announce` writes a line whatever LOG_LEVEL is. */
export { announce, createLogger } from './logger';
export type { AppLogger, LoggerSettings } from './logger';
/** Routes Nest's Logger calls through the same logger. */
export { PinoNestLogger } from './nest-logger';
/** X-Request-Id: a well-formed incoming one is kept, else one is made. */
export { REQUEST_ID_HEADER, requestIdOf } from './request-id';
/** The access log line and the HTTP series, one call per finished response. */
export { HttpObserver } from './http-observer';
