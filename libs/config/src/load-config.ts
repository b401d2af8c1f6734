import { isIP } from 'node:net';

import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

import { AppConfig } from './app-config';
import { EnvSchema } from './env.schema';

/** Thrown by loadConfig(); `problems` holds one line per bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** Validates the environment once and returns a frozen AppConfig, or throws ConfigError. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(new EnvSchema())) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  for (const key of [
    'ISSUER',
    'DATABASE_URL',
    'ADMIN_TOKEN',
    'MASTER_KEY',
    'SMTP_URL',
    'SMS_GATEWAY_URL',
    'LOGIN_CSS_FILE',
    'TRUST_PROXY',
    'METRICS_TOKEN',
  ]) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const schema = plainToInstance(EnvSchema, raw);
  const problems = validateSync(schema).map(
    (e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`,
  );
  if (problems.length > 0) throw new ConfigError(problems);
  const trustProxyProblem =
    schema.TRUST_PROXY === undefined ? null : checkTrustProxy(schema.TRUST_PROXY);
  if (trustProxyProblem) throw new ConfigError([`TRUST_PROXY: ${trustProxyProblem}`]);
  if (schema.DATABASE_URL && !schema.MASTER_KEY) {
    throw new ConfigError([
      'MASTER_KEY: is required when DATABASE_URL is set (32 bytes, base64url)',
    ]);
  }
  const issuerUrl = (schema.ISSUER ?? `http://localhost:${schema.PORT}/uas`).replace(/\/+$/, '');
  const issuer = new URL(issuerUrl);
  if (issuer.search || issuer.hash) {
    throw new ConfigError([
      'ISSUER: must not have a query or fragment (OpenID Connect Discovery §3)',
    ]);
  }
  return deepFreeze({
    http: {
      port: schema.PORT,
      host: schema.HOST,
      adapter: schema.HTTP_ADAPTER as AppConfig['http']['adapter'],
      trustProxy: parseTrustProxy(schema.TRUST_PROXY),
    },
    issuer: {
      url: issuerUrl,
      basePath: issuer.pathname.replace(/\/+$/, ''),
      isHttps: issuer.protocol === 'https:',
    },
    database: { url: schema.DATABASE_URL ?? null, dataDir: schema.DATA_DIR },
    admin: { token: schema.ADMIN_TOKEN ?? null },
    masterKey: schema.MASTER_KEY ?? null,
    smtp: { url: schema.SMTP_URL ?? null, from: schema.SMTP_FROM },
    sms: { gatewayUrl: schema.SMS_GATEWAY_URL ?? null },
    otp: {
      length: schema.OTP_LENGTH,
      ttlSeconds: schema.OTP_TTL_SECONDS,
      sendsPerHour: schema.OTP_SENDS_PER_HOUR,
    },
    tokens: {
      accessTokenTtlSeconds: schema.ACCESS_TOKEN_TTL_SECONDS,
      idTokenTtlSeconds: schema.ID_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: schema.REFRESH_TOKEN_TTL_SECONDS,
      codeTtlSeconds: schema.CODE_TTL_SECONDS,
    },
    login: {
      maxFailures: schema.LOGIN_MAX_FAILURES,
      windowSeconds: schema.LOGIN_WINDOW_SECONDS,
      cssFile: schema.LOGIN_CSS_FILE ?? null,
    },
    keys: {
      metadataCertificate: schema.METADATA_CERTIFICATE,
      rotationLeadSeconds: schema.KEY_ROTATION_LEAD_SECONDS,
    },
    outbound: { denyPrivate: schema.OUTBOUND_DENY_PRIVATE },
    audit: {
      retentionDays: schema.AUDIT_RETENTION_DAYS,
      tokenEvents: schema.AUDIT_TOKEN_EVENTS,
    },
    logLevel: schema.LOG_LEVEL as AppConfig['logLevel'],
    logFormat: schema.LOG_FORMAT as AppConfig['logFormat'],
    metrics: { token: schema.METRICS_TOKEN ?? null },
  });
}

/**
 * What is wrong with a TRUST_PROXY list, or null: every entry a named range or an IP address
 * with a prefix length that fits it, and never a /0, which would trust every sender's header.
 */
function checkTrustProxy(value: string): string | null {
  for (const entry of value.split(',').map((e) => e.trim())) {
    if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) continue;
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    if (family === 0 || rest.length > 0)
      return `${JSON.stringify(entry)} is not an address or CIDR range`;
    if (
      prefix !== undefined &&
      !(/^\d+$/.test(prefix) && Number(prefix) >= 1 && Number(prefix) <= bits)
    ) {
      return `${JSON.stringify(entry)} needs a prefix length from 1 to ${bits}`;
    }
  }
  return null;
}

/** TRUST_PROXY: false when unset, else the list of trusted proxy addresses and ranges. */
function parseTrustProxy(value: string | undefined): AppConfig['http']['trustProxy'] {
  if (value === undefined) return false;
  return value.split(',').map((entry) => entry.trim());
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (child && typeof child === 'object') deepFreeze(child);
  }
  return Object.freeze(value);
}
