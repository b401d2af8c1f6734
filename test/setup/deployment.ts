import { FixedClock } from '@app/config';

import { createTestDatabase, TestDatabase } from './test-database';
import { newMasterKey, startTestServer, TestServer } from './test-server';

/**
 * Two instances of one deployment, for tests of what every instance must see at once (caches,
 * limits, revocations): one database, one master key, one issuer, one clock.
 */
export interface Deployment {
  readonly db: TestDatabase;
  readonly a: TestServer;
  readonly b: TestServer;
}

/** Starts both instances on a fresh database; `env` is added to every instance's. */
export async function startDeployment(env: Record<string, string> = {}): Promise<Deployment> {
  const db = await createTestDatabase();
  const options = {
    databaseUrl: db.url,
    masterKey: newMasterKey(),
    env: { ISSUER: 'http://idp.example/uas', ...env },
    clock: new FixedClock(new Date()),
  };
  const a = await startTestServer(options);
  const b = await startTestServer(options);
  return { db, a, b };
}

/** Stops whatever of a deployment was started. */
export async function stopDeployment(deployment: Partial<Deployment>): Promise<void> {
  await deployment.a?.close();
  await deployment.b?.close();
  await deployment.db?.drop();
}
