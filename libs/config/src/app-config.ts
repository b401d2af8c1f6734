/** Validated, typed configuration. Built once by loadConfig(); inject it, never read process.env. */
export interface AppConfig {
  readonly http: {
    readonly port: number;
    readonly host: string;
    readonly adapter: 'express' | 'fastify';
    /** TRUST_PROXY: whose X-Forwarded-For names the client address (false: nobody's). */
    readonly trustProxy: false | readonly string[];
  };
  /** The issuer URL without a trailing slash, and the path part every route is mounted below. */
  readonly issuer: { readonly url: string; readonly basePath: string; readonly isHttps: boolean };
  readonly database: { readonly url: string | null; readonly dataDir: string };
  readonly admin: { readonly token: string | null };
  readonly masterKey: string | null;
  readonly smtp: { readonly url: string | null; readonly from: string };
  readonly sms: { readonly gatewayUrl: string | null };
  readonly otp: {
    readonly length: number;
    readonly ttlSeconds: number;
    readonly sendsPerHour: number;
  };
  readonly tokens: {
    readonly accessTokenTtlSeconds: number;
    readonly idTokenTtlSeconds: number;
    readonly refreshTokenTtlSeconds: number;
    readonly codeTtlSeconds: number;
  };
  /** Brute-force limits of password checks; `cssFile` replaces the login page's stylesheet when set. */
  readonly login: {
    readonly maxFailures: number;
    readonly windowSeconds: number;
    readonly cssFile: string | null;
  };
  readonly keys: { readonly metadataCertificate: boolean; readonly rotationLeadSeconds: number };
  /**
   * Requests to client-registered URLs: `denyPrivate` refuses loopback and private addresses
   * as well as the always-refused link-local and cloud-metadata ones (CONTRACT §2).
   */
  readonly outbound: { readonly denyPrivate: boolean };
  /** Audit events (CONTRACT §5): how long they are kept; whether token issuance is one. */
  readonly audit: { readonly retentionDays: number; readonly tokenEvents: boolean };
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'verbose';
  /** LOG_FORMAT: JSON lines, or pino-pretty's one line per entry for a terminal. */
  readonly logFormat: 'json' | 'pretty';
  /** METRICS_TOKEN: the bearer token GET /metrics wants; null leaves /metrics open. */
  readonly metrics: { readonly token: string | null };
}

/** Injection token for AppConfig (an interface has no runtime value). */
export const APP_CONFIG = Symbol('AppConfig');
