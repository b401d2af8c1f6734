import { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';

import { isDatabaseUnavailable, translateDatabaseError } from './database-errors';
import { DatabaseNotifications } from './database-notifications';

/** What a repository may do inside a transaction; opaque to callers of repositories. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

/** Unique violation (23505), so repositories can turn a race into a clean `null` or conflict. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '23505';
}

/**
 * The database handle every repository uses. Queries go straight to the pg pool under
 * TypeORM (hot paths pay no ORM overhead); connection failures become 503.
 */
export class Database implements Queryable {
  constructor(
    readonly dataSource: DataSource,
    private readonly pool: Pool,
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
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    try {
      const result = await this.pool.query(sql, params);
      return result.rows as T[];
    } catch (error) {
      throw translateDatabaseError(error);
    }
  }

  /** Runs `fn` in one transaction: all of it commits, or none of it. */
  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw translateDatabaseError(error);
    }
    let broken = false;
    const tx: Queryable = {
      query: async <R>(sql: string, params: unknown[] = []) => {
        try {
          return (await client.query(sql, params)).rows as R[];
        } catch (error) {
          if (isDatabaseUnavailable(error)) broken = true;
          throw translateDatabaseError(error);
        }
      },
    };
    try {
      await tx.query('BEGIN');
      const result = await fn(tx);
      await tx.query('COMMIT');
      return result;
    } catch (error) {
      // A connection that failed or timed out is not asked for a ROLLBACK: it would wait behind
      // the timed-out statement for another timeout. Destroying it ends the transaction as well.
      if (!broken) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** Runs `fn` in a transaction holding a PostgreSQL advisory lock named `name` (all instances). */
  withAdvisoryLock<T>(name: string, fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [name]);
      return fn(tx);
    });
  }

  /** A cheap round trip that fails within the pool's timeouts when the database is gone. */
  async isReachable(): Promise<boolean> {
    try {
      await this.pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }
}
