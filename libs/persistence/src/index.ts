/** The database module: connection, migrations, repositories. */
export { PersistenceModule } from './persistence.module';
/**
 * TypeORM's data source as repositories use it; services call only `transaction(fn)` (multi-row
 * work, its opaque Transaction handed on to repository methods) and `isReachable()` (health).
 */
export { Database, isUniqueViolation, Statement, Transaction } from './database';
/** The migrations run against a database, as at start-up (tests' template database). */
export { migrateDatabase } from './data-source';
/** LISTEN/NOTIFY of committed changes, for caches that every instance must drop at once. */
export { DatabaseNotifications, NotificationChannel } from './database-notifications';
export type { NotificationListener } from './database-notifications';
export { NotifiedCache } from './notified-cache';
/** Identifiers are refused unless in the one form this server mints, before any cache or query. */
export { canonicalUsername, hasControlCharacter, isCanonicalUuid } from './identifiers';
/** Connection failures → 503 temporarily_unavailable. */
export { isDatabaseUnavailable } from './database-errors';
/** Periodic purge of expired rows. */
export { HousekeepingService, longestLimitWindowSeconds } from './housekeeping.service';
export { HousekeepingRepository } from './repositories';
export type { PurgeReport } from './repositories';
/** The embedded engine (development and tests). */
export { EmbeddedPostgres } from './embedded-postgres';
/** Repositories: the only code that touches the database. */
export { GrantRepository, RefreshTokenRepository } from './repositories';
export type {
  AccessTokenState,
  ConsumedRefreshToken,
  GrantRecord,
  RefreshTokenRecord,
} from './repositories';
/** The claims a request asked for one by one (OpenID Connect Core §5.5), as codes and grants keep them. */
export type { RequestedClaims } from './requested-claims';
export {
  RateLimitRepository,
  ServerKeyRepository,
  SettingRepository,
  UsedIdentifierRepository,
} from './repositories';
export type { RateWindow, ServerKeyRecord } from './repositories';
/** OTP challenges: created after a successful send, consumed by their first validation. */
export { OtpChallengeRepository } from './repositories';
export type { OtpChallengeRecord } from './repositories';
/** Trusted SAML assertion issuers (RFC 7522 grant). */
export { SamlIssuerRepository } from './repositories';
export type { SamlIssuerRecord } from './repositories';
/** The `sub` each external identity source (SAML issuer, OTP channel) was given. */
export { samlSubjectSource, SubjectRepository } from './repositories';
/** Registered clients and users (admin API, client authentication, password login). */
export { ClientRepository, UserRepository } from './repositories';
export type {
  ClientListRecord,
  ClientRecord,
  ClientSecretColumns,
  UserRecord,
} from './repositories';
/** Login sessions and authorization codes of the authorization endpoint (stored as hashes). */
export { AuthorizationCodeRepository, LoginSessionRepository } from './repositories';
export type {
  AuthorizationCodeRecord,
  ConsumedAuthorizationCode,
  EndedLoginSession,
  LoginSessionRecord,
  LoginSessionSummary,
} from './repositories';
/** Logout tokens waiting for delivery (Back-Channel Logout 1.0), a queue in PostgreSQL. */
export { BackchannelLogoutRepository } from './repositories';
export type { BackchannelLogoutJob } from './repositories';
/** Admin API keys, stored as SHA-256 digests of the key. */
export { ApiKeyRepository } from './repositories';
export type { ApiKeyRecord } from './repositories';
/** Users' second factors (TOTP) and recovery codes, each code used once. */
export { UserFactorRepository } from './repositories';
export type { UserFactorRecord } from './repositories';
/** Groups and memberships (names unique in canonical form). */
export { GroupRepository } from './repositories';
export type { GroupChange, GroupRecord } from './repositories';
/** The append-only audit record (CONTRACT §5) and the service that writes it. */
export { AuditEventRepository } from './repositories';
export type { AuditEventFilter, AuditEventRecord } from './repositories';
export { AuditLog } from './audit-log';
export type { AuditContext, AuditEvent } from './audit-log';
/** Logout tokens and logout events for sessions that ended, whatever ended them. */
export { SessionEndings } from './session-endings';
export type { SessionEndReason } from './session-endings';
/** LDAP / Active Directory directories, and the links of local users to their entries. */
export {
  DIRECTORY_PASSWORD_HASH,
  DirectoryAccountRepository,
  DirectoryRepository,
} from './repositories';
export type {
  DirectoryAccountConflict,
  DirectoryEntrySnapshot,
  DirectoryRecord,
  DirectorySettings,
} from './repositories';
