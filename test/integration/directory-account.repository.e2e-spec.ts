import { randomUUID } from 'node:crypto';

import { Database, DirectoryAccountRepository } from '@app/persistence';

import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { startTestServer, TestServer } from '../setup/test-server';

/**
 * A directory deleted while one of its users signs in for the first time: the link's foreign
 * key refuses the new account, and the sign-in must end cleanly with nothing written (no user
 * without its directory), not with a database error.
 */
describe(DirectoryAccountRepository.name, () => {
  let db: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it('answers directory_removed, and makes no user, when the directory is gone', async () => {
    const accounts = server.app.get(DirectoryAccountRepository);
    const username = `gone-${randomUUID().slice(0, 8)}`;

    const result = await accounts.synchronize(
      {
        // No such directory (any more): as after a deletion that committed mid-sign-in.
        directoryId: randomUUID(),
        externalId: randomUUID(),
        dn: `uid=${username},ou=people,dc=example,dc=org`,
        username,
        claims: { email: `${username}@example.org` },
        groups: ['staff'],
      },
      server.clock.now(),
    );

    expect(result).toBe('directory_removed');
    const users = await server.app
      .get(Database)
      .query<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE username = $1`, [username]);
    expect(users[0].n).toBe(0);
  });
});
