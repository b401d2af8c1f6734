/** The database module: connection, migrations, repositories. */
export { PersistenceModule } from './persistence.module';
/** The handle repositories use; `transaction(fn)` for multi-row work; `isReachable()` for health. */
export { Database, isUniqueViolation } from './database';
export type { Queryable } from './database';
/** Connection failures → 503 temporarily_unavailable. */
export { isDatabaseUnavailable } from './database-errors';
/** The embedded engine (development and tests). */
export { EmbeddedPostgres } from './embedded-postgres';
/** Repositories: the only code that touches the database. */
export { RateLimitRepository, ServerKeyRepository, SettingRepository, UsedIdentifierRepository } from './repositories';
export type { RateWindow, ServerKeyRecord } from './repositories';
