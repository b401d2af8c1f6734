import type { Pool, PoolClient } from 'pg';
import { DataSource, EntityTarget, ObjectLiteral, QueryRunner, Repository } from 'typeorm';

import { isDatabaseUnavailable, isDeadlock, translateDatabaseError } from './database-errors';
import { DatabaseNotifications } from './database-notifications';

/**
 * A transaction in progress (`Database.transaction`), handed on to repository methods so they
 * join it. Opaque: only repositories run anything in it.
 */
export abstract class Transaction {
  declare private readonly brand: never;
}

/** The transaction behind the opaque handle: its query runner, and whether its connection broke. */
class OpenTransaction extends Transaction {
  broken: Error | null = null;

  constructor(readonly runner: QueryRunner) {
    super();
  }
}

/**
 * A statement a hot path runs on every request. Outside a transaction each connection parses and
 * plans it once and then runs it by name (PostgreSQL's extended protocol): planning the refresh
 * token's rotation cost PostgreSQL more CPU than running it. Not on the embedded engine, whose
 * connections share one session (a second connection preparing the same name would fail).
 */
export class Statement {
  constructor(
    readonly name: string,
    readonly sql: string,
  ) {}
}

/** How often a statement outside a transaction runs again after PostgreSQL ended it as a deadlock. */
const DEADLOCK_RETRIES = 2;

/** Unique violation (23505), so repositories can turn a race into a clean `null` or conflict. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '23505';
}

/**
 * The TypeORM data source as repositories use it: one-statement SQL (`query`) for the atomic and
 * hot statements, TypeORM repositories (`use`) for plain reads and writes, `transaction(fn)` for
 * multi-row work. A statement outside a transaction runs on a pooled connection of its own,
 * anything else on a query runner of its own (or its transaction's); either is released with its
 * error when the connection failed or timed out, so the pool destroys it instead of handing out a
 * connection with a statement still stuck on it. Connection failures become 503.
 */
export class Database {
  constructor(
    private readonly dataSource: DataSource,
    private readonly notifications: DatabaseNotifications,
    private readonly prepare = true,
  ) {}

  /**
   * After a committed change that caches must drop (a deleted or changed client, a revoked
   * token or grant, a deleted user): waits until every instance has seen its notification.
   */
  propagateChanges(): Promise<void> {
    return this.notifications.propagate();
  }

  /** The pool's connection counts, read live (the /metrics gauges). */
  poolStats(): { total: number; idle: number; waiting: number } {
    const pool = this.pool();
    return {
      total: pool?.totalCount ?? 0,
      idle: pool?.idleCount ?? 0,
      waiting: pool?.waitingCount ?? 0,
    };
  }

  /** Runs one SQL statement, in `tx` when given, and returns the rows it returned. */
  query<T = Record<string, unknown>>(
    statement: string | Statement,
    params: unknown[] = [],
    tx?: Transaction,
  ): Promise<T[]> {
    const sql = typeof statement === 'string' ? statement : statement.sql;
    if (tx) {
      return this.run(tx, async (runner) => (await runner.query(sql, params, true)).records as T[]);
    }
    const name = typeof statement !== 'string' && this.prepare ? statement.name : undefined;
    return this.onPooledConnection<T>(name, sql, params);
  }

  /** Runs `work` with TypeORM's repository of `entity`, in `tx` when given. */
  use<E extends ObjectLiteral, R>(
    entity: EntityTarget<E>,
    work: (rows: Repository<E>) => Promise<R>,
    tx?: Transaction,
  ): Promise<R> {
    return this.run(tx, (runner) => work(runner.manager.getRepository(entity)));
  }

  /** Runs `fn` in one transaction: all of it commits, or none of it. */
  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const tx = new OpenTransaction(this.dataSource.createQueryRunner());
    try {
      await this.run(tx, (runner) => runner.startTransaction());
      const result = await fn(tx);
      await this.run(tx, (runner) => runner.commitTransaction());
      return result;
    } catch (error) {
      // A connection that failed or timed out is not asked for a ROLLBACK: it would wait behind
      // the timed-out statement for another timeout. Destroying it ends the transaction as well.
      if (!tx.broken && tx.runner.isTransactionActive) {
        await tx.runner.rollbackTransaction().catch((rollbackError: Error) => {
          tx.broken = rollbackError;
        });
      }
      throw error;
    } finally {
      await release(tx.runner, tx.broken);
    }
  }

  /** Runs `fn` in a transaction holding a PostgreSQL advisory lock named `name` (all instances). */
  withAdvisoryLock<T>(name: string, fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.transaction(async (tx) => {
      await this.query('SELECT pg_advisory_xact_lock(hashtext($1))', [name], tx);
      return fn(tx);
    });
  }

  /** A cheap round trip that fails within the pool's timeouts when the database is gone. */
  async isReachable(): Promise<boolean> {
    try {
      await this.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  /**
   * One statement on a connection of the pool, taken and given back around it: what TypeORM's
   * query runner does, without its per-statement objects and events. A connection that failed or
   * timed out is destroyed, not given back. While the connection is out of the pool, its `error`
   * event (a reset or a closed socket, emitted before the statement fails) is ours to take:
   * unheard, it would end the process. A prepared statement PostgreSQL no longer runs by its
   * name (result columns changed by a newer instance's migration; the name unknown to or already
   * taken in its session, behind a pooler that swaps sessions) destroys its connection, and the
   * statement, which had no effect, runs again unprepared. A statement PostgreSQL ended as a
   * deadlock was rolled back with its implicit transaction, so it runs again too, DEADLOCK_RETRIES
   * times at most (then 503).
   */
  private async onPooledConnection<T>(
    name: string | undefined,
    sql: string,
    params: unknown[],
    deadlocksLeft = DEADLOCK_RETRIES,
  ): Promise<T[]> {
    const pool = this.pool();
    // As TypeORM's query runner answers before the data source is open or after it closed.
    if (!pool) throw new Error('Driver not Connected');
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw translateDatabaseError(error);
    }
    let broken: Error | null = null;
    const onError = (error: Error): void => {
      broken ??= error;
    };
    client.on('error', onError);
    let unprepared: boolean;
    try {
      return (await client.query({ name, text: sql, values: params })).rows as T[];
    } catch (error) {
      unprepared = name !== undefined && isUnusablePreparedStatement(error);
      if (unprepared || isDatabaseUnavailable(error)) broken ??= error as Error;
      if (!unprepared && !(isDeadlock(error) && deadlocksLeft > 0))
        throw translateDatabaseError(error);
    } finally {
      client.removeListener('error', onError);
      client.release(broken ?? undefined);
    }
    return unprepared
      ? this.onPooledConnection<T>(undefined, sql, params, deadlocksLeft)
      : this.onPooledConnection<T>(name, sql, params, deadlocksLeft - 1);
  }

  private pool(): Pool | undefined {
    // TypeORM keeps its pg pool as the driver's `master` while the data source is open.
    return (this.dataSource.driver as unknown as { master?: Pool }).master;
  }

  /**
   * Runs `work` on the transaction's query runner, or on a runner of its own released after it;
   * a connection that failed is remembered (its transaction's) or released as broken (its own).
   */
  private async run<R>(
    tx: Transaction | undefined,
    work: (runner: QueryRunner) => Promise<R>,
  ): Promise<R> {
    const open = tx as OpenTransaction | undefined;
    const runner = open?.runner ?? this.dataSource.createQueryRunner();
    let broken: Error | null = null;
    try {
      return await work(runner);
    } catch (error) {
      if (isDatabaseUnavailable(error)) broken = error as Error;
      throw translateDatabaseError(error);
    } finally {
      if (open) open.broken ??= broken;
      else await release(runner, broken);
    }
  }
}

/**
 * A named statement its connection cannot run by name: "cached plan must not change result type"
 * (0A000, raised before it runs), or the name missing (26000) or taken (42P05) in the session.
 */
function isUnusablePreparedStatement(error: unknown): boolean {
  const e = error as { code?: string; routine?: string } | null;
  if (e?.code === '0A000') return e.routine === 'RevalidateCachedQuery';
  return e?.code === '26000' || e?.code === '42P05';
}

/**
 * Returns the runner's connection to the pool, or has the pool destroy it when it broke.
 * TypeORM's public release() always returns it; PostgresQueryRunner's release with an error
 * (what TypeORM itself does when a connection emits an error) removes it from the pool.
 */
function release(runner: QueryRunner, broken: Error | null): Promise<void> {
  if (!broken) return runner.release();
  return (
    runner as unknown as { releasePostgresConnection(error: Error): Promise<void> }
  ).releasePostgresConnection(broken);
}
