import { randomBytes, randomUUID } from 'node:crypto';

import { Client } from 'pg';

import {
  Database,
  GrantRecord,
  GrantRepository,
  RefreshTokenRepository,
  Statement,
} from '@app/persistence';

import { adminCreateClient } from '../setup/oauth';
import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { newMasterKey, startTestServer, TestServer } from '../setup/test-server';

const ROUNDS = 20;

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
const HOUR_MS = 3600_000;

/**
 * RFC 9700 §4.14.2 refresh token rotation on PostgreSQL: one statement consumes the presented
 * token and stores its successor, and of two instances (two connection pools) presenting the
 * same token at once exactly one wins; the loser's presentation is a replay that revokes the grant.
 */
describe(RefreshTokenRepository.name, () => {
  const masterKey = newMasterKey();
  let db: TestDatabase;
  let one: TestServer;
  let two: TestServer;
  let database: Database;
  let clientId: string;
  let otherClientId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    one = await startTestServer({ databaseUrl: db.url, masterKey });
    two = await startTestServer({ databaseUrl: db.url, masterKey });
    database = one.app.get(Database);
    clientId = (
      await adminCreateClient(one, { grant_types: ['client_credentials', 'refresh_token'] })
    ).client_id;
    otherClientId = (
      await adminCreateClient(one, { grant_types: ['client_credentials', 'refresh_token'] })
    ).client_id;
  });

  afterAll(async () => {
    await one?.close();
    await two?.close();
    await db?.drop();
  });

  const repositories = () => [
    one.app.get(RefreshTokenRepository),
    two.app.get(RefreshTokenRepository),
  ];
  const now = () => one.clock.now();
  const successor = () => ({
    tokenHash: randomBytes(32),
    expiresAt: new Date(now().getTime() + HOUR_MS),
  });

  /** A grant with its first refresh token; returns the token's hash and the grant. */
  async function issue(
    scope = 'openid profile',
  ): Promise<{ tokenHash: Buffer; grant: GrantRecord }> {
    const grant: GrantRecord = {
      id: randomUUID(),
      clientId,
      userId: null,
      subject: `sub-${randomUUID()}`,
      scope,
      authTime: now(),
      amr: ['pwd'],
      claims: { email: 'x@example.com' },
      requestedClaims: { userinfo: [], id_token: ['email'] },
      sessionId: null,
    };
    const tokenHash = randomBytes(32);
    await repositories()[0].createWithGrant(grant, {
      tokenHash,
      scope,
      createdAt: now(),
      expiresAt: new Date(now().getTime() + HOUR_MS),
    });
    return { tokenHash, grant };
  }

  const countTokens = async (grantId: string) =>
    (
      await database.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM refresh_tokens WHERE grant_id = $1',
        [grantId],
      )
    )[0].n;

  it('rotates in one statement: the presented token is spent, its successor carries the same grant and scope', async () => {
    const [sut] = repositories();
    const { tokenHash, grant } = await issue('openid email');
    const next = successor();

    const rotated = await sut.rotate(tokenHash, clientId, now(), next);

    expect(rotated).toEqual({ grant, scope: 'openid email' });
    expect(await sut.findActive(tokenHash, now())).toBeNull();
    expect(await sut.findActive(next.tokenHash, now())).toEqual({
      grantId: grant.id,
      clientId,
      scope: 'openid email',
      subject: grant.subject,
      createdAt: now(),
      expiresAt: next.expiresAt,
    });
  });

  it.each([
    ['another client', () => otherClientId, 0],
    ['an expired token', () => clientId, 2 * HOUR_MS],
  ])('refuses %s and stores no successor', async (_case, client, elapsedMs) => {
    const [sut] = repositories();
    const { tokenHash, grant } = await issue();

    const rotated = await sut.rotate(
      tokenHash,
      client(),
      new Date(now().getTime() + elapsedMs),
      successor(),
    );

    expect(rotated).toBeNull();
    expect(await countTokens(grant.id)).toBe(1);
    expect(await sut.findActive(tokenHash, now())).not.toBeNull();
  });

  it('refuses a token whose grant was revoked', async () => {
    const [sut] = repositories();
    const { tokenHash, grant } = await issue();
    await one.app.get(GrantRepository).revoke(grant.id, now());

    expect(await sut.rotate(tokenHash, clientId, now(), successor())).toBeNull();
    expect(await countTokens(grant.id)).toBe(1);
  });

  it('lets exactly one of two instances rotating the same token at once win; the loser revokes the family', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { tokenHash, grant } = await issue();
      const nexts = [successor(), successor()];

      const results = await Promise.all(
        repositories().map((sut, i) => sut.rotate(tokenHash, clientId, now(), nexts[i])),
      );

      const winners = results.filter((r) => r !== null);
      expect(winners).toHaveLength(1);
      expect(await countTokens(grant.id)).toBe(2);
      const winningNext = nexts[results.findIndex((r) => r !== null)];
      // The loser presented a spent token: a replay (RFC 9700 §4.14.2), which ends the grant.
      const loser = repositories()[results.findIndex((r) => r === null)];
      expect(await loser.revokeGrantOfUsedToken(tokenHash, clientId, now())).toBe(true);
      expect(await loser.findActive(winningNext.tokenHash, now())).toBeNull();
      expect(await loser.revokeGrantOfUsedToken(tokenHash, clientId, now())).toBe(false);
    }
  });

  /**
   * Records the rotation statements `server` sends (calling through to PostgreSQL) until `stop`:
   * how many rotations each carried.
   */
  function recordRotationStatements(server: TestServer): { stop(): void; sizes(): number[] } {
    const spy = jest.spyOn(server.app.get(Database), 'query');
    let sizes: number[] = [];
    return {
      stop() {
        sizes = spy.mock.calls.flatMap(([statement]) => {
          const size =
            statement instanceof Statement &&
            /^refresh_tokens\.rotate_many\.(\d+)$/.exec(statement.name)?.[1];
          return size ? [Number(size)] : [];
        });
        spy.mockRestore();
      },
      sizes: () => sizes,
    };
  }

  const isUnspent = async (tokenHash: Buffer) =>
    (
      await database.query<{ unspent: boolean }>(
        'SELECT consumed_at IS NULL AS unspent FROM refresh_tokens WHERE token_hash = $1',
        [tokenHash],
      )
    )[0]?.unspent;

  /** Locks a token's row, as another transaction would (FOR UPDATE), on `holder`. */
  const lockRow = (holder: Client, tokenHash: Buffer) =>
    holder.query('SELECT 1 FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE', [tokenHash]);

  /** Another connection, in a transaction holding the row of `tokenHash`; `end` rolls it back. */
  async function holdRow(tokenHash: Buffer): Promise<Client> {
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    await holder.query('BEGIN');
    await lockRow(holder, tokenHash);
    return holder;
  }

  async function release(holder: Client): Promise<void> {
    await holder.query('ROLLBACK').catch(() => undefined);
    await holder.end();
  }

  /** Deadlocks PostgreSQL has broken in this database (its statistics may lag a moment). */
  const deadlocks = async () =>
    (
      await database.query<{ n: number }>(
        'SELECT deadlocks::int AS n FROM pg_stat_database WHERE datname = current_database()',
      )
    )[0].n;

  it('rotates tokens presented together in one statement of up to 32, each with its own grant, scope and successor', async () => {
    const [sut] = repositories();
    const issued = await Promise.all(
      Array.from({ length: 40 }, (_, i) => issue(i % 2 ? 'openid email' : 'openid profile')),
    );
    const nexts = issued.map(() => successor());
    const counter = recordRotationStatements(one);

    const results = await Promise.all(
      issued.map(({ tokenHash }, i) => sut.rotate(tokenHash, clientId, now(), nexts[i])),
    ).finally(() => counter.stop());

    // 32, then the 8 that waited for them.
    expect(counter.sizes()).toEqual([32, 8]);
    expect(results).toEqual(
      issued.map(({ grant }, i) => ({ grant, scope: i % 2 ? 'openid email' : 'openid profile' })),
    );
    for (const [i, { tokenHash, grant }] of issued.entries()) {
      expect(await sut.findActive(tokenHash, now())).toBeNull();
      expect(await sut.findActive(nexts[i].tokenHash, now())).toMatchObject({
        grantId: grant.id,
        scope: grant.scope,
        expiresAt: nexts[i].expiresAt,
      });
    }
  });

  it('answers each rotation of a batch on its own: spent, foreign, expired and revoked tokens get null and store nothing', async () => {
    const [sut] = repositories();
    const live = await issue();
    const spent = await issue();
    await sut.rotate(spent.tokenHash, clientId, now(), successor());
    const foreign = await issue();
    const revoked = await issue();
    await one.app.get(GrantRepository).revoke(revoked.grant.id, now());
    const expired = await issue();
    const later = new Date(now().getTime() + 2 * HOUR_MS);
    const unknown = randomBytes(32);

    const counter = recordRotationStatements(one);
    const results = await Promise.all([
      sut.rotate(spent.tokenHash, clientId, now(), successor()),
      sut.rotate(foreign.tokenHash, otherClientId, now(), successor()),
      sut.rotate(live.tokenHash, clientId, now(), successor()),
      sut.rotate(revoked.tokenHash, clientId, now(), successor()),
      sut.rotate(expired.tokenHash, clientId, later, successor()),
      sut.rotate(unknown, clientId, now(), successor()),
    ]).finally(() => counter.stop());

    expect(results).toEqual([
      null,
      null,
      { grant: live.grant, scope: live.grant.scope },
      null,
      null,
      null,
    ]);
    expect(counter.sizes()).toEqual([6]);
    expect(await countTokens(spent.grant.id)).toBe(2);
    expect(await countTokens(foreign.grant.id)).toBe(1);
    expect(await countTokens(live.grant.id)).toBe(2);
    expect(await countTokens(revoked.grant.id)).toBe(1);
    expect(await countTokens(expired.grant.id)).toBe(1);
    // Refused, and still unspent: none was consumed without its successor.
    for (const { tokenHash } of [foreign, revoked, expired])
      expect(await isUnspent(tokenHash)).toBe(true);
    expect(await isUnspent(live.tokenHash)).toBe(false);
  });

  it('sends the rotations that arrive while a batch is out together, in the next statement', async () => {
    const [sut] = repositories();
    const [alone, ...together] = await Promise.all(Array.from({ length: 4 }, () => issue()));
    const counter = recordRotationStatements(one);

    const first = sut.rotate(alone.tokenHash, clientId, now(), successor());
    // The first statement leaves at the end of this turn of the event loop; the three come after.
    await new Promise((resolve) => setImmediate(resolve));
    const rest = together.map(({ tokenHash }) =>
      sut.rotate(tokenHash, clientId, now(), successor()),
    );
    const results = await Promise.all([first, ...rest]).finally(() => counter.stop());

    expect(counter.sizes()).toEqual([1, 3]);
    expect(results).toEqual(
      [alone, ...together].map(({ grant }) => ({ grant, scope: grant.scope })),
    );
  });

  it('sends a batch that failed for one rotation again one by one: only that rotation fails, and its token stays unspent', async () => {
    const [sut] = repositories();
    const [good, bad, alsoGood, existing] = await Promise.all(
      Array.from({ length: 4 }, () => issue()),
    );
    const counter = recordRotationStatements(one);

    const results = await Promise.allSettled([
      sut.rotate(good.tokenHash, clientId, now(), successor()),
      // A successor whose hash is already stored: the primary key refuses the whole statement.
      sut.rotate(bad.tokenHash, clientId, now(), { ...successor(), tokenHash: existing.tokenHash }),
      sut.rotate(alsoGood.tokenHash, clientId, now(), successor()),
    ]).finally(() => counter.stop());

    expect(counter.sizes()).toEqual([3, 1, 1, 1]);
    expect(results[0]).toEqual({
      status: 'fulfilled',
      value: { grant: good.grant, scope: good.grant.scope },
    });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { code: '23505' } });
    expect(results[2]).toEqual({
      status: 'fulfilled',
      value: { grant: alsoGood.grant, scope: alsoGood.grant.scope },
    });
    expect(await isUnspent(bad.tokenHash)).toBe(true);
    expect(await countTokens(bad.grant.id)).toBe(1);
  });

  it('never puts one token twice in a batch: of two presentations at once on one instance, exactly one wins', async () => {
    const [sut] = repositories();
    for (let round = 0; round < ROUNDS; round++) {
      const { tokenHash, grant } = await issue();
      const others = await Promise.all([issue(), issue()]);
      const counter = recordRotationStatements(one);

      const [first, second, ...rest] = await Promise.all([
        sut.rotate(tokenHash, clientId, now(), successor()),
        sut.rotate(tokenHash, clientId, now(), successor()),
        ...others.map((o) => sut.rotate(o.tokenHash, clientId, now(), successor())),
      ]).finally(() => counter.stop());

      expect([first, second].filter((r) => r !== null)).toEqual([{ grant, scope: grant.scope }]);
      expect(rest).toEqual(others.map((o) => ({ grant: o.grant, scope: o.grant.scope })));
      // The three different tokens first; the second presentation waited for them.
      expect(counter.sizes()).toEqual([3, 1]);
      expect(await countTokens(grant.id)).toBe(2);
    }
  });

  it('rotates each token exactly once when two instances are given the same tokens at once, in opposite orders', async () => {
    for (let round = 0; round < 5; round++) {
      const issued = await Promise.all(Array.from({ length: 12 }, () => issue()));
      const [a, b] = repositories();

      const [fromA, fromB] = await Promise.all([
        Promise.all(
          issued.map(({ tokenHash }) => a.rotate(tokenHash, clientId, now(), successor())),
        ),
        Promise.all(
          [...issued]
            .reverse()
            .map(({ tokenHash }) => b.rotate(tokenHash, clientId, now(), successor())),
        ).then((results) => results.reverse()),
      ]);

      for (const [i, { grant }] of issued.entries()) {
        expect([fromA[i], fromB[i]].filter((r) => r !== null)).toEqual([
          { grant, scope: grant.scope },
        ]);
        expect(await countTokens(grant.id)).toBe(2);
      }
    }
  });

  it('sends a batch again that PostgreSQL ended as a deadlock: its rotations still happen once', async () => {
    // The embedded engine (npm test without DATABASE_URL) runs one transaction at a time: no
    // statement of it can wait for a row another transaction holds. CI runs this on a server.
    if (!process.env.DATABASE_URL) return;
    const [sut] = repositories();
    const first = await issue();
    const second = await issue();
    const deadlocksBefore = await deadlocks();
    // The holder locks the second token's row; the batch locks the first's and waits for the
    // second's; the holder then asks for the first's: a cycle, which PostgreSQL ends after
    // deadlock_timeout by failing the statement that waited longer, the batch.
    const holder = await holdRow(second.tokenHash);
    const counter = recordRotationStatements(one);
    try {
      const rotating = Promise.all(
        [first, second].map(({ tokenHash }) => sut.rotate(tokenHash, clientId, now(), successor())),
      );
      // Awaited below; a failure before then must not go unhandled.
      rotating.catch(() => undefined);
      await waitUntil(
        async () =>
          (
            await database.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM pg_stat_activity
               WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%presented%'`,
            )
          )[0].n === 1,
      );
      await lockRow(holder, first.tokenHash);
      await holder.query('COMMIT');

      expect(await rotating).toEqual([
        { grant: first.grant, scope: first.grant.scope },
        { grant: second.grant, scope: second.grant.scope },
      ]);
    } finally {
      counter.stop();
      await release(holder);
    }
    // One batch, which Database.query ran again after the deadlock ended it.
    expect(counter.sizes()).toEqual([2]);
    await waitUntil(async () => (await deadlocks()) === deadlocksBefore + 1);
    expect(await countTokens(first.grant.id)).toBe(2);
    expect(await countTokens(second.grant.id)).toBe(2);
  });

  it('lets the next batch go beside one stuck behind a lock', async () => {
    // The embedded engine (npm test without DATABASE_URL) runs one transaction at a time: no
    // statement of it can wait for a row another transaction holds. CI runs this on a server.
    if (!process.env.DATABASE_URL) return;
    const [sut] = repositories();
    const stuck = await issue();
    const free = await issue();
    const holder = await holdRow(stuck.tokenHash);
    try {
      let stuckDone = false;
      const waiting = sut.rotate(stuck.tokenHash, clientId, now(), successor()).finally(() => {
        stuckDone = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 100));

      // Answered while the first batch still waits for the holder's lock.
      expect(await sut.rotate(free.tokenHash, clientId, now(), successor())).toEqual({
        grant: free.grant,
        scope: free.grant.scope,
      });
      expect(stuckDone).toBe(false);

      await holder.query('COMMIT');
      expect(await waiting).toEqual({ grant: stuck.grant, scope: stuck.grant.scope });
    } finally {
      await release(holder);
    }
  });

  it('marks no replay for a token never spent, or spent by another client', async () => {
    const [sut] = repositories();
    const { tokenHash } = await issue();

    expect(await sut.revokeGrantOfUsedToken(tokenHash, clientId, now())).toBe(false);
    await sut.rotate(tokenHash, clientId, now(), successor());
    expect(await sut.revokeGrantOfUsedToken(tokenHash, otherClientId, now())).toBe(false);
    expect(await sut.revokeGrantOfUsedToken(tokenHash, clientId, now())).toBe(true);
  });

  it('lets exactly one of two instances consuming the same token in a transaction win', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { tokenHash, grant } = await issue('openid profile');

      const results = await Promise.all(
        [one, two].map((server) =>
          server.app.get(Database).transaction(async (tx) => {
            const consumed = await server.app
              .get(RefreshTokenRepository)
              .consume(tokenHash, clientId, now(), tx);
            if (consumed) {
              await server.app.get(RefreshTokenRepository).create(
                {
                  tokenHash: randomBytes(32),
                  grantId: grant.id,
                  clientId,
                  scope: consumed.scope,
                  createdAt: now(),
                  expiresAt: new Date(now().getTime() + HOUR_MS),
                },
                tx,
              );
            }
            return consumed;
          }),
        ),
      );

      expect(results.filter((r) => r !== null)).toEqual([{ grant, scope: 'openid profile' }]);
      expect(await countTokens(grant.id)).toBe(2);
    }
  });

  it('rolls the consumption back with the transaction that failed after it', async () => {
    const { tokenHash } = await issue();
    const [sut] = repositories();

    await expect(
      database.transaction(async (tx) => {
        expect(await sut.consume(tokenHash, clientId, now(), tx)).not.toBeNull();
        throw new Error('invalid_scope after the consumption');
      }),
    ).rejects.toThrow('invalid_scope after the consumption');

    expect(await sut.findActive(tokenHash, now())).not.toBeNull();
  });
});
