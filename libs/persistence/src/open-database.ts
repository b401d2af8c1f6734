import { Logger } from '@nestjs/common';
import { Pool } from 'pg';
import { DataSource, MigrationExecutor } from 'typeorm';

import { AppConfig } from '@app/config';

import { Database } from './database';
import { DatabaseNotifications } from './database-notifications';
import { EMBEDDED_MARKER, EmbeddedPostgres } from './embedded-postgres';
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

/** An open database and how to close it. */
export interface OpenDatabase {
  readonly database: Database;
  readonly embedded: boolean;
  /** Change notifications for caches; never listening on the embedded engine. */
  readonly notifications: DatabaseNotifications;
  close(): Promise<void>;
}

/**
 * Connects (starting the embedded engine when DATABASE_URL is unset), applies pending
 * migrations under an advisory lock so instances starting together do not race, and
 * returns the Database handle.
 */
export async function openDatabase(config: AppConfig): Promise<OpenDatabase> {
  const logger = new Logger('Database');
  let engine: EmbeddedPostgres | null = null;
  let url = config.database.url;
  if (!url) {
    engine = await EmbeddedPostgres.start(config.database.dataDir);
    url = engine.url;
    logger.log(`embedded PostgreSQL (PGlite) in ${config.database.dataDir}; production sets DATABASE_URL`);
  }
  // The embedded engine runs one statement at a time: a small pool is all it can use.
  const embedded = url.includes(EMBEDDED_MARKER);
  const dataSource = new DataSource({
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
  });
  try {
    await dataSource.initialize();
    await runMigrations(dataSource);
  } catch (error) {
    await dataSource.destroy().catch(() => undefined);
    await engine?.stop().catch(() => undefined);
    throw error;
  }
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  // The embedded engine is one process's own: no other instance can change it behind our back,
  // but its single connection is no place for a listener either, so it gets no caches.
  // Started once the application is up (DatabaseLifecycle), so a failed start leaves no listener behind.
  const notifications = new DatabaseNotifications(embedded ? null : url);
  return {
    database: new Database(dataSource, pool, notifications),
    embedded,
    notifications,
    async close() {
      await notifications.close();
      await dataSource.destroy().catch(() => undefined);
      await engine?.stop();
    },
  };
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
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw error;
  } finally {
    await runner.release();
  }
}
