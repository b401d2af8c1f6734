import type { Pool } from 'pg';
import { DataSource, EntityTarget, ObjectLiteral, QueryRunner, Repository } from 'typeorm';

import { isDatabaseUnavailable, translateDatabaseError } from './database-errors';
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

/** Unique violation (23505), so repositories can turn a race into a clean `null` or conflict. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '23505';
}

/**
 * The TypeORM data source as repositories use it: one-statement SQL (`query`) for the atomic and
 * hot statements, TypeORM repositories (`use`) for plain reads and writes, `transaction(fn)` for
 * multi-row work. Every call runs on a query runner of its own (or its transaction's), released
 * with its error when the connection failed or timed out so the pool destroys it instead of
 * handing out a connection with a statement still stuck on it; connection failures become 503.
 */
export class Database {
  constructor(
    private readonly dataSource: DataSource,
    private readonly notifications: DatabaseNotifications,
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
    // TypeORM keeps its pg pool as the driver's `master`: its counters are read, nothing else.
    const pool = (this.dataSource.driver as unknown as { master?: Pool }).master;
    return {
      total: pool?.totalCount ?? 0,
      idle: pool?.idleCount ?? 0,
      waiting: pool?.waitingCount ?? 0,
    };
  }

  /** Runs one SQL statement, in `tx` when given, and returns the rows it returned. */
  query<T = Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
    tx?: Transaction,
  ): Promise<T[]> {
    return this.run(tx, async (runner) => (await runner.query(sql, params, true)).records as T[]);
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
