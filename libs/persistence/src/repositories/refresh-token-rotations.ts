import { OAuthError } from '@app/errors';

import { Database, Statement } from '../database';
import { GRANT_COLUMNS, GrantRecord, sessionAliveSql } from './grant.repository';

/** A refresh token consumed for rotation, with the grant it belongs to. */
export interface ConsumedRefreshToken {
  grant: GrantRecord;
  scope: string;
}

/** One rotation asked for: the presented token's hash and the successor to store in its place. */
export interface RotationRequest {
  tokenHash: Buffer;
  clientId: string;
  now: Date;
  next: { tokenHash: Buffer; expiresAt: Date };
}

/** The most rotations one statement carries; more wait for the next. */
export const MAX_BATCH = 32;

/**
 * The statement for `size` rotations. For each presented token (row `n`) it does exactly what one
 * rotation alone does: consumes the token when it is live (unused, unexpired, this client's, its
 * grant neither revoked nor ended with its browser session) and stores its successor with the
 * same grant, client and scope; a token it cannot consume gets no row back and stores nothing.
 * The statement is atomic as a whole.
 *
 * Shaped so that PostgreSQL's one generic plan is the right one whatever the tables' statistics:
 * - one statement per batch size, whose VALUES list it counts exactly (an array or JSON parameter
 *   it either counted anew at every run, planning the statement every time, or guessed at 10 or
 *   100 rows, and then preferred scanning tables);
 * - the presented tokens found first, by primary key, in a CTE of their own: given all three
 *   tables at once, a grants table not yet analyzed (estimated at one row) led it to read every
 *   token of every grant.
 * The UPDATE checks every condition on the token again, on the row it locks.
 */
function rotateMany(size: number): Statement {
  const rows = Array.from({ length: size }, (_, i) => {
    const p = i * 5;
    return `(${i + 1}, $${p + 1}::bytea, $${p + 2}::uuid, $${p + 3}::timestamptz, $${p + 4}::bytea, $${p + 5}::timestamptz)`;
  });
  return new Statement(
    `refresh_tokens.rotate_many.${size}`,
    `WITH presented (n, token_hash, client_id, now, next_hash, next_expires_at) AS (
       VALUES ${rows.join(', ')}
     ), found AS MATERIALIZED (
       SELECT p.*, rt.grant_id FROM presented p JOIN refresh_tokens rt ON rt.token_hash = p.token_hash
     ), consumed AS (
       UPDATE refresh_tokens rt SET consumed_at = f.now
       FROM found f, grants g
       WHERE rt.token_hash = f.token_hash AND rt.client_id = f.client_id AND rt.consumed_at IS NULL
         AND rt.expires_at > f.now
         AND g.id = f.grant_id AND g.revoked_at IS NULL AND ${sessionAliveSql('f.now')}
       RETURNING f.n, f.now, f.next_hash, f.next_expires_at, g.id, g.client_id, g.user_id, g.subject,
         g.scope, g.auth_time, g.amr, g.claims, g.requested_claims, g.session_id, rt.scope AS token_scope
     ), issued AS (
       INSERT INTO refresh_tokens (token_hash, grant_id, client_id, scope, created_at, expires_at)
       SELECT next_hash, id, client_id, token_scope, now, next_expires_at FROM consumed
     )
     SELECT n, ${GRANT_COLUMNS}, token_scope AS "tokenScope" FROM consumed`,
  );
}

const ROTATE_MANY = Array.from({ length: MAX_BATCH }, (_, i) => rotateMany(i + 1));

/** A batch out longer than this is taken as stuck behind a lock: the next one goes without it. */
export const OVERDUE_BATCH_MS = 25;

/**
 * Batches at the database at once, at most: fewer than PostgreSQL's pool of ten connections, so
 * that rotations never take them all (the embedded engine's two they may, as any burst may).
 */
export const MAX_BATCHES_IN_FLIGHT = 4;

interface Waiting extends RotationRequest {
  /** The presented hash as a string, to keep two presentations of one token apart. */
  key: string;
  resolve(result: ConsumedRefreshToken | null): void;
  reject(error: unknown): void;
}

type RotatedRow = GrantRecord & { n: number; tokenScope: string };

/**
 * Group commit for refresh token rotation, as PostgreSQL's WAL writer groups commits: while a
 * batch of rotations is at the database, the rotations that arrive wait for it and then go
 * together, in one statement, one round trip and one commit. Idle, a rotation goes alone at the
 * end of the event loop's turn it arrived in; under load the batches grow with it. A round trip
 * cost the server about a quarter of a refresh's CPU, and PostgreSQL's own work per statement was
 * most of a rotation's (README, Performance).
 *
 * Each rotation keeps its own answer:
 * - the statement consumes each token as one rotation alone would;
 * - a token presented twice never goes twice in one batch: the second waits for the next, where
 *   it is spent, so exactly one presentation wins, as with two instances;
 * - a batch of several that fails with one row's error (a constraint) is sent again one rotation
 *   a statement, so that the failure is only that rotation's;
 * - a deadlock (two batches sharing tokens, from two instances or an overdue batch and the next;
 *   or a batch and the cascade of a deletion) is sent again, as Database.query does for any
 *   statement;
 * - a batch the database cannot run (out of reach, the statement timeout, a deadlock that
 *   persists) answers 503 for each rotation, whose token stays unspent, to be presented again.
 *
 * A full batch goes at once; otherwise the queue waits while a batch is out, but a batch stuck
 * behind a lock holds the others up for OVERDUE_BATCH_MS at most. At most MAX_BATCHES_IN_FLIGHT
 * are out; each ends within the statement timeout, so nothing waits forever.
 */
export class RefreshTokenRotations {
  private queue: Waiting[] = [];
  /** Batches at the database. */
  private inFlight = 0;
  /** Of them, those out for less than OVERDUE_BATCH_MS: while there is one, a partial batch waits. */
  private fresh = 0;
  private scheduled = false;

  constructor(private readonly db: Database) {}

  rotate(request: RotationRequest): Promise<ConsumedRefreshToken | null> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...request, key: request.tokenHash.toString('base64'), resolve, reject });
      if (this.queue.length >= MAX_BATCH) this.send();
      else this.schedule();
    });
  }

  /** Sends the queue at the end of this turn of the event loop, unless a batch is out. */
  private schedule(): void {
    if (this.scheduled || this.fresh > 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.send();
    });
  }

  private send(): void {
    while (
      this.queue.length > 0 &&
      this.inFlight < MAX_BATCHES_IN_FLIGHT &&
      (this.fresh === 0 || this.queue.length >= MAX_BATCH)
    ) {
      this.sendBatch(this.takeBatch());
    }
  }

  /** Up to MAX_BATCH from the front of the queue, no presented token twice. */
  private takeBatch(): Waiting[] {
    const batch: Waiting[] = [];
    const later: Waiting[] = [];
    const keys = new Set<string>();
    for (const waiting of this.queue) {
      if (keys.has(waiting.key) || batch.length === MAX_BATCH) later.push(waiting);
      else {
        keys.add(waiting.key);
        batch.push(waiting);
      }
    }
    this.queue = later;
    return batch;
  }

  private sendBatch(batch: Waiting[]): void {
    this.inFlight += 1;
    this.fresh += 1;
    let overdue = false;
    const timer = setTimeout(() => {
      overdue = true;
      this.fresh -= 1;
      this.send();
    }, OVERDUE_BATCH_MS);
    void this.run(batch).finally(() => {
      clearTimeout(timer);
      this.inFlight -= 1;
      if (!overdue) this.fresh -= 1;
      this.send();
    });
  }

  private async run(batch: Waiting[]): Promise<void> {
    let rows: RotatedRow[];
    try {
      rows = await this.statement(batch);
    } catch (error) {
      // A database out of reach, timing out or deadlocked still answers 503 (Database.query):
      // sending each rotation again would only wait for it again. The presented tokens stay
      // unspent, to be sent again.
      const unavailable = error instanceof OAuthError && error.code === 'temporarily_unavailable';
      if (batch.length === 1 || unavailable) {
        for (const waiting of batch) waiting.reject(error);
        return;
      }
      // Each on its own, so only a failing one fails; one after another, so the batch still
      // holds one connection, as MAX_BATCHES_IN_FLIGHT counts it. `run` never throws.
      for (const waiting of batch) await this.run([waiting]);
      return;
    }
    const results: (ConsumedRefreshToken | null)[] = batch.map(() => null);
    for (const { n, tokenScope, ...grant } of rows) results[n - 1] = { grant, scope: tokenScope };
    batch.forEach((waiting, i) => waiting.resolve(results[i]));
  }

  private statement(batch: Waiting[]): Promise<RotatedRow[]> {
    const values = batch.flatMap((w) => [
      w.tokenHash,
      w.clientId,
      w.now,
      w.next.tokenHash,
      w.next.expiresAt,
    ]);
    return this.db.query<RotatedRow>(ROTATE_MANY[batch.length - 1], values);
  }
}
