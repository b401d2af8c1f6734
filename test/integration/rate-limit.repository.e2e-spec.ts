import { randomBytes } from 'node:crypto';

import { Client } from 'pg';

import { RateLimitRepository } from '@app/persistence';

import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { startTestServer, TestServer } from '../setup/test-server';

const WINDOW = 600;
const LIMIT = 3;

/** The sign-in's reads of its failure windows, against PostgreSQL. */
describe(RateLimitRepository.name, () => {
  let db: TestDatabase;
  let server: TestServer;
  let sut: RateLimitRepository;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
    sut = server.app.get(RateLimitRepository);
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  /** Resolves once a statement of this database waits for a lock (asked on a connection of its own). */
  const untilWaitingForALock = async () => {
    const watcher = new Client({ connectionString: db.url });
    await watcher.connect();
    try {
      for (let i = 0; i < 500; i += 1) {
        const { rows } = await watcher.query<{ waiting: number }>(
          `SELECT count(*)::int AS waiting FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        if (rows[0].waiting > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error('no statement came to wait for the row lock');
    } finally {
      await watcher.end();
    }
  };
  const bucket = () => `test:${randomBytes(6).toString('hex')}`;
  const at = (seconds: number) => new Date(server.clock.now().getTime() + seconds * 1000);
  const hits = async (name: string, times: number, when: Date) => {
    for (let i = 0; i < times; i += 1) await sut.hit(name, WINDOW, when);
  };

  describe('peekCounts', () => {
    it('answers the current count of each bucket in the order asked, 0 for none or a passed window', async () => {
      const [two, none, passed, one] = [bucket(), bucket(), bucket(), bucket()];
      await hits(two, 2, at(0));
      await hits(passed, 4, at(-WINDOW));
      await hits(one, 1, at(0));

      expect(await sut.peekCounts([two, none, passed, one], WINDOW, at(0))).toEqual([2, 0, 0, 1]);
      expect(await sut.peekCounts([one, two], WINDOW, at(0))).toEqual([1, 2]);
    });
  });

  describe('clearBelow', () => {
    it('forgets a bucket below the limit and answers its count', async () => {
      const name = bucket();
      await hits(name, LIMIT - 1, at(0));

      expect(await sut.clearBelow(name, LIMIT, WINDOW, at(0))).toBe(LIMIT - 1);
      expect(await sut.peek(name, WINDOW, at(0))).toBeNull();
      // Forgotten: the next failure starts a new window at 1.
      expect((await sut.hit(name, WINDOW, at(1))).count).toBe(1);
    });

    it('keeps a bucket that reached the limit and answers its count', async () => {
      const name = bucket();
      await hits(name, LIMIT, at(0));

      expect(await sut.clearBelow(name, LIMIT, WINDOW, at(0))).toBe(LIMIT);
      expect(await sut.peek(name, WINDOW, at(0))).toMatchObject({ count: LIMIT });
    });

    it('answers 0 for a bucket with no window, and for one whose window has passed (and forgets it)', async () => {
      const none = bucket();
      const passed = bucket();
      await hits(passed, LIMIT + 2, at(-WINDOW));

      expect(await sut.clearBelow(none, LIMIT, WINDOW, at(0))).toBe(0);
      expect(await sut.clearBelow(passed, LIMIT, WINDOW, at(0))).toBe(0);
      expect((await sut.hit(passed, WINDOW, at(0))).count).toBe(1);
    });

    it('keeps a window that a failure counted by another transaction brought to the limit meanwhile', async () => {
      // The embedded engine (npm test without DATABASE_URL) runs one transaction at a time: no
      // statement of it can wait for a row another transaction holds. CI runs this on a server.
      if (!process.env.DATABASE_URL) return;
      const name = bucket();
      await hits(name, LIMIT - 1, at(0));
      const other = new Client({ connectionString: db.url });
      await other.connect();
      try {
        // Another instance counts a failure and has not committed when the sign-in clears.
        await other.query('BEGIN');
        await other.query('UPDATE rate_limits SET count = count + 1 WHERE bucket = $1', [name]);
        const clearing = sut.clearBelow(name, LIMIT, WINDOW, at(0));
        await untilWaitingForALock();
        await other.query('COMMIT');
        await clearing;
      } finally {
        await other.end();
      }

      expect(await sut.peek(name, WINDOW, at(0))).toMatchObject({ count: LIMIT });
    });

    it('leaves other buckets alone', async () => {
      const [name, other] = [bucket(), bucket()];
      await hits(name, 1, at(0));
      await hits(other, 2, at(0));

      await sut.clearBelow(name, LIMIT, WINDOW, at(0));

      expect(await sut.peekCounts([name, other], WINDOW, at(0))).toEqual([0, 2]);
    });
  });
});
