import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value;
const toBool = ({ value }: { value: unknown }) =>
  value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value;

/** One TRUST_PROXY entry: a named range, an IPv4 or an IPv6 address, with an optional prefix length. */
const PROXY = String.raw`(?:loopback|linklocal|uniquelocal|(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]*)(?:\/\d{1,3})?`;
const TRUST_PROXY_LIST = new RegExp(`^${PROXY}(?:\\s*,\\s*${PROXY})*$`);

/** The environment variables of CONTRACT.md §2, with their defaults. */
export class EnvSchema {
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 8080;

  @IsString()
  @MinLength(1)
  HOST: string = '0.0.0.0';

  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  ISSUER?: string;

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsString()
  @MinLength(1)
  DATA_DIR: string = './data';

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  ADMIN_TOKEN?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{43}$/, {
    message: 'must be 32 bytes, base64url-encoded (43 characters)',
  })
  MASTER_KEY?: string;

  @IsOptional()
  @Matches(/^smtps?:\/\/.+/, { message: 'must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @IsString()
  @MaxLength(254)
  @Matches(/^[^\s<>@"]+@[^\s<>@"]+$/, { message: 'must be an e-mail address' })
  SMTP_FROM: string = 'no-reply@localhost';

  @IsOptional()
  @Matches(/^https?:\/\/.+/, { message: 'must be an http:// or https:// URL template' })
  SMS_GATEWAY_URL?: string;

  @Transform(toInt)
  @IsInt()
  @Min(6)
  @Max(12)
  OTP_LENGTH: number = 8;

  @Transform(toInt)
  @IsInt()
  @Min(30)
  @Max(86400)
  OTP_TTL_SECONDS: number = 300;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10000)
  OTP_SENDS_PER_HOUR: number = 5;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400)
  ACCESS_TOKEN_TTL_SECONDS: number = 3600;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400)
  ID_TOKEN_TTL_SECONDS: number = 3600;

  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(31536000)
  REFRESH_TOKEN_TTL_SECONDS: number = 2592000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(600)
  CODE_TTL_SECONDS: number = 60;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10000)
  LOGIN_MAX_FAILURES: number = 10;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86400)
  LOGIN_WINDOW_SECONDS: number = 900;

  /** A stylesheet that replaces the login page's built-in one (read once at start). */
  @IsOptional()
  @IsString()
  @MinLength(1)
  LOGIN_CSS_FILE?: string;

  @Transform(toBool)
  @IsBoolean()
  METADATA_CERTIFICATE: boolean = false;

  /** Refuse client URLs (jwks_uri) on loopback and private ranges too; link-local and metadata always. */
  @Transform(toBool)
  @IsBoolean()
  OUTBOUND_DENY_PRIVATE: boolean = false;

  /** Seconds between publishing a new signing key and signing with it (see README, keys). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(86400)
  KEY_ROTATION_LEAD_SECONDS: number = 120;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'verbose'])
  LOG_LEVEL: string = 'info';

  /** JSON lines (the default, for log collectors) or a human-readable form for a terminal. */
  @IsIn(['json', 'pretty'])
  LOG_FORMAT: string = 'json';

  /** Days audit events are kept; the housekeeping job deletes older ones. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(36500)
  AUDIT_RETENTION_DAYS: number = 90;

  /** Record every token issuance as an audit event too (there are many). */
  @Transform(toBool)
  @IsBoolean()
  AUDIT_TOKEN_EVENTS: boolean = false;

  /** When set, GET /metrics wants it as a bearer token; unset, /metrics is open. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  METRICS_TOKEN?: string;

  /**
   * Which proxies in front of the server may name the client's address in X-Forwarded-For: unset
   * (none: the socket's peer is the client) or a comma-separated list of the proxies' addresses
   * and CIDR ranges (`loopback`, `linklocal`, `uniquelocal` name the usual ones). No hop count:
   * it would trust whatever a direct client writes in the header.
   */
  @IsOptional()
  @Matches(TRUST_PROXY_LIST, {
    message: 'must be a comma-separated list of proxy addresses or CIDR ranges',
  })
  TRUST_PROXY?: string;

  /**
   * The HTTP layer under Nest: Fastify by default (the README's Performance section: a fraction
   * of Express's CPU per request), or Express, which the design names and which stays supported.
   */
  @IsIn(['express', 'fastify'])
  HTTP_ADAPTER: string = 'fastify';
}
