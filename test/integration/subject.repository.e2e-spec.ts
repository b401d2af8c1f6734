import { randomBytes } from 'node:crypto';

import { Database, SubjectRepository } from '@app/persistence';

import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { newMasterKey, startTestServer, TestServer } from '../setup/test-server';

const ROUNDS = 20;

/** Claims racing on two instances (two connection pools) of one database. */
describe(SubjectRepository.name, () => {
  const masterKey = newMasterKey();
  let db: TestDatabase;
  let one: TestServer;
  let two: TestServer;
  let database: Database;

  beforeAll(async () => {
    db = await createTestDatabase();
    one = await startTestServer({ databaseUrl: db.url, masterKey });
    two = await startTestServer({ databaseUrl: db.url, masterKey });
    database = one.app.get(Database);
  });

  afterAll(async () => {
    await one?.close();
    await two?.close();
    await db?.drop();
  });

  const repositories = () => [one.app.get(SubjectRepository), two.app.get(SubjectRepository)];

  it('gives a sub claimed by two sources at once exactly one owner', async () => {
    const [first, second] = repositories();

    for (let round = 0; round < ROUNDS; round++) {
      const value = `racer-${round}@example.com`;

      const results = await Promise.all([
        first.claim(value, 'saml:https://a.example.org', value),
        second.claim(value, 'saml:https://b.example.org', value),
      ]);

      expect(results.filter((sub) => sub === value)).toHaveLength(1);
      expect(results.filter((sub) => sub === null)).toHaveLength(1);
      const rows = await database.query('SELECT source FROM subjects WHERE sub = $1', [value]);
      expect(rows).toHaveLength(1);
    }
  });

  it('gives one source value claimed twice at once, under different subs, one sub', async () => {
    const [first, second] = repositories();

    for (let round = 0; round < ROUNDS; round++) {
      const value = `twice-${round}@example.com`;

      const results = await Promise.all([
        first.claim(value, 'otp:email', value),
        second.claim(randomBytes(32).toString('base64url'), 'otp:email', value),
      ]);

      expect(results[0]).toEqual(expect.any(String));
      expect(results[1]).toBe(results[0]);
      expect(await first.findSub('otp:email', value)).toBe(results[0]);
    }
  });

  it('answers a later claim of the same pair with its recorded sub, and of a held sub with null', async () => {
    const [first] = repositories();

    expect(await first.claim('held@example.com', 'otp:email', 'held@example.com')).toBe(
      'held@example.com',
    );
    expect(await first.claim('other-sub', 'otp:email', 'held@example.com')).toBe(
      'held@example.com',
    );
    expect(
      await first.claim('held@example.com', 'saml:https://a.example.org', 'held@example.com'),
    ).toBeNull();
    expect(await first.findSub('saml:https://a.example.org', 'held@example.com')).toBeNull();
  });
});
