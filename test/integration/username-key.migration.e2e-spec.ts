import { DataSource, QueryRunner } from 'typeorm';

import { Database } from '@app/persistence';

import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { startTestServer, TestServer } from '../setup/test-server';

const MIGRATION = 'AddUsernameKey1764310000000';

/**
 * The upgrade to one username normalisation on a database that has users: their keys are
 * computed in code, and two users whose names now name one person stop the upgrade with a line
 * naming both, instead of one of them losing their account.
 */
describe(MIGRATION, () => {
  let db: TestDatabase;
  let server: TestServer;
  let database: Database;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
    database = server.app.get(Database);
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  async function migrate(direction: 'up' | 'down'): Promise<void> {
    const dataSource = server.app.get(DataSource);
    const migration = dataSource.migrations.find((m) => m.name === MIGRATION);
    if (!migration) throw new Error(`${MIGRATION} is not registered`);
    const runner: QueryRunner = dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      await migration[direction](runner);
      await runner.commitTransaction();
    } catch (error) {
      await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  }

  const insertUser = (id: string, username: string) =>
    database.query(
      `INSERT INTO users (id, username, password_hash, claims) VALUES ($1, $2, 'x', '{}')`,
      [id, username],
    );

  it('stops on two users that now name one, naming both, and changes nothing', async () => {
    await migrate('down');
    await insertUser('00000000-0000-4000-8000-000000000001', 'Straße');
    await insertUser('00000000-0000-4000-8000-000000000002', 'STRASSE');

    await expect(migrate('up')).rejects.toThrow(
      /00000000-0000-4000-8000-000000000001 \("Straße"\) and 00000000-0000-4000-8000-000000000002 \("STRASSE"\)/,
    );
    const columns = await database.query(
      `SELECT 1 FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'username_key'`,
    );
    expect(columns).toEqual([]);
  });

  it("fills in every user's key once the clash is resolved", async () => {
    await database.query(
      `UPDATE users SET username = 'strasse-2' WHERE id = '00000000-0000-4000-8000-000000000002'`,
    );
    await insertUser('00000000-0000-4000-8000-000000000003', 'Ａｌｉｃｅ');

    await migrate('up');

    const rows = await database.query<{ id: string; username_key: string }>(
      `SELECT id, username_key FROM users ORDER BY id`,
    );
    expect(rows).toEqual([
      { id: '00000000-0000-4000-8000-000000000001', username_key: 'strasse' },
      { id: '00000000-0000-4000-8000-000000000002', username_key: 'strasse-2' },
      { id: '00000000-0000-4000-8000-000000000003', username_key: 'alice' },
    ]);
  });
});
