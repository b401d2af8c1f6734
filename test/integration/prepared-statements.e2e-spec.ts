import { Database, Statement } from '@app/persistence';

import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { newMasterKey, startTestServer, TestServer } from '../setup/test-server';

/**
 * Database.query with a Statement: on PostgreSQL each connection prepares it once and runs it by
 * name; on the embedded engine, whose connections share one session, it runs unprepared. A
 * prepared statement whose result columns a migration changed runs again unprepared.
 */
describe('Database statements', () => {
  let db: TestDatabase;
  let server: TestServer;
  let database: Database;
  let embedded: boolean;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url, masterKey: newMasterKey() });
    database = server.app.get(Database);
    // The embedded engine's URL is the one without a DATABASE_URL (test/setup/test-database).
    embedded = !process.env.DATABASE_URL;
    await database.query('CREATE TABLE statement_probe (id int PRIMARY KEY, label text)');
    await database.query(`INSERT INTO statement_probe VALUES (1, 'one'), (2, 'two')`);
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  /** The names prepared on the connection that runs this, as PostgreSQL lists them. */
  const preparedHere = async (): Promise<string[]> =>
    (
      await database.query<{ name: string }>(
        new Statement('test.prepared_here', 'SELECT name FROM pg_prepared_statements'),
      )
    ).map((r) => r.name);

  it('answers the rows of its statement, with parameters', async () => {
    const byId = new Statement('test.by_id', 'SELECT label FROM statement_probe WHERE id = $1');

    expect(await database.query(byId, [1])).toEqual([{ label: 'one' }]);
    expect(await database.query(byId, [2])).toEqual([{ label: 'two' }]);
    expect(await database.query(byId, [3])).toEqual([]);
  });

  it('is prepared by name on PostgreSQL and not on the embedded engine', async () => {
    const count = new Statement('test.count', 'SELECT count(*)::int AS n FROM statement_probe');
    // A pool gives back its most recently returned connection: these run on one connection.
    await database.query(count);
    const names = await preparedHere();

    if (embedded) expect(names).toEqual([]);
    else expect(names).toEqual(expect.arrayContaining(['test.count', 'test.prepared_here']));
  });

  it('runs the same statement on many connections at once', async () => {
    const byId = new Statement(
      'test.by_id_many',
      'SELECT label FROM statement_probe WHERE id = $1',
    );

    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) => database.query(byId, [(i % 2) + 1])),
    );

    expect(answers.map((rows) => rows[0])).toEqual(
      Array.from({ length: 24 }, (_, i) => ({ label: i % 2 === 0 ? 'one' : 'two' })),
    );
  });

  it('runs inside a transaction, whose rollback undoes it', async () => {
    const insert = new Statement('test.insert', 'INSERT INTO statement_probe VALUES ($1, $2)');

    await expect(
      database.transaction(async (tx) => {
        await database.query(insert, [10, 'ten'], tx);
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    await database.query(insert, [11, 'eleven']);

    const ids = await database.query<{ id: number }>(
      'SELECT id FROM statement_probe WHERE id >= 10 ORDER BY id',
    );
    expect(ids).toEqual([{ id: 11 }]);
  });

  it('answers with the new columns after a migration changed what a prepared statement returns', async () => {
    const all = new Statement('test.all', 'SELECT * FROM statement_probe WHERE id = $1');
    // Prepared on every connection the pool opens, so whichever runs it next holds the old plan.
    await Promise.all(Array.from({ length: 12 }, () => database.query(all, [1])));

    await database.query('ALTER TABLE statement_probe ADD COLUMN note text');
    await database.query(`UPDATE statement_probe SET note = 'changed' WHERE id = 1`);

    for (let i = 0; i < 12; i += 1) {
      expect(await database.query(all, [1])).toEqual([{ id: 1, label: 'one', note: 'changed' }]);
    }
  });

  it('runs again unprepared when its session lost the prepared statement', async () => {
    const byId = new Statement(
      'test.deallocated',
      'SELECT label FROM statement_probe WHERE id = $1',
    );
    await database.query(byId, [1]);
    // As a pooler that hands out another session would: the name is gone from this session.
    await database.query('DEALLOCATE ALL');

    expect(await database.query(byId, [2])).toEqual([{ label: 'two' }]);
    expect(await database.query(byId, [1])).toEqual([{ label: 'one' }]);
  });
});
