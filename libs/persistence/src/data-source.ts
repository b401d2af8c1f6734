import { DataSource, DataSourceOptions, MigrationExecutor } from 'typeorm';

import { EMBEDDED_MARKER } from './embedded-postgres';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { SnakeNamingStrategy } from './naming.strategy';

/**
 * CONTRACT §3: with the database gone, refused or silently dropping packets, answer 503 within
 * 10 s. A connection (or a wait for a free one) gives up after 3 s and a statement after 6 s on
 * our side, so one of either fits; a statement that timed out leaves its connection to be
 * destroyed, never reused (Database). The server ends a statement itself a second earlier, so a
 * merely slow one leaves a usable connection, and ends a session left idle in a transaction (a
 * client behind a dead network still holding locks). TCP keepalive finds idle connections
 * whose peer vanished.
 */
const POOL_TIMEOUTS = {
  connectionTimeoutMillis: 3_000,
  query_timeout: 6_000,
  statement_timeout: 5_000,
  idle_in_transaction_session_timeout: 15_000,
  keepAlive: true,
  keepAliveInitialDelayMillis: 5_000,
};

/** Whether `url` names the embedded engine (EmbeddedPostgres.url), which runs one statement at a time. */
export function isEmbeddedUrl(url: string): boolean {
  return url.includes(EMBEDDED_MARKER);
}

/**
 * The TypeORM options of this server's one data source: the listed entities and migrations,
 * snake_case columns, never `synchronize` (every schema change is a migration), and this
 * instance's pool.
 */
export function dataSourceOptions(url: string): DataSourceOptions {
  // The embedded engine runs one statement at a time: a small pool is all it can use.
  const embedded = isEmbeddedUrl(url);
  return {
    type: 'postgres',
    url: url.replace(new RegExp(`[?&]${EMBEDDED_MARKER}`), ''),
    entities: ENTITIES,
    migrations: MIGRATIONS,
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: {
      max: embedded ? 2 : 10,
      idleTimeoutMillis: embedded ? 1_000 : 30_000,
      ...POOL_TIMEOUTS,
    },
  };
}

/**
 * Connects and applies pending migrations under an advisory lock, so instances starting
 * together do not race. Closes the data source again when either fails.
 */
export async function openDataSource(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = new DataSource(options);
  try {
    await dataSource.initialize();
    await runMigrations(dataSource);
    return dataSource;
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
    throw error;
  }
}

/** Migrates the database at `url` and disconnects (tests' template database, the drift check). */
export async function migrateDatabase(url: string): Promise<void> {
  const dataSource = await openDataSource(dataSourceOptions(url));
  await dataSource.destroy();
}

/**
 * The statements TypeORM would run to make the schema match the entities: empty when the
 * migrations and the entities describe the same tables (the drift check in CI).
 */
export async function schemaDrift(dataSource: DataSource): Promise<string[]> {
  const { upQueries } = await dataSource.driver.createSchemaBuilder().log();
  return upQueries.map((q) => q.query);
}

async function runMigrations(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    // A schema change may take longer than a request's statement (still bounded by query_timeout).
    await runner.query('SET LOCAL statement_timeout = 0');
    await runner.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['uas:migrations']);
    const executor = new MigrationExecutor(dataSource, runner);
    executor.transaction = 'none';
    await executor.executePendingMigrations();
    await runner.commitTransaction();
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw error;
  } finally {
    await runner.release();
  }
}
