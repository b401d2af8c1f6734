import { randomBytes } from 'node:crypto';

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

    it('leaves other buckets alone', async () => {
      const [name, other] = [bucket(), bucket()];
      await hits(name, 1, at(0));
      await hits(other, 2, at(0));

      await sut.clearBelow(name, LIMIT, WINDOW, at(0));

      expect(await sut.peekCounts([name, other], WINDOW, at(0))).toEqual([0, 2]);
    });
  });
});
