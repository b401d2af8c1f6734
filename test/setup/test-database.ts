import { randomBytes } from 'node:crypto';

import { Client } from 'pg';

import { EmbeddedPostgres } from '@app/persistence';

import { databaseUrl, TEMPLATE_ENV } from './global-setup';

/** A database of one's own for one test file. */
export interface TestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/**
 * A fresh database: on DATABASE_URL's server, a clone of the template global-setup migrated
 * (servers starting on it find every migration applied), or an empty in-memory embedded engine
 * when DATABASE_URL is unset (CONTRACT §1, npm test).
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const engine = await EmbeddedPostgres.start(null);
    return { url: engine.url, drop: () => engine.stop() };
  }
  const template = process.env[TEMPLATE_ENV];
  if (!template)
    throw new Error(`${TEMPLATE_ENV} is unset: test/setup/global-setup.ts did not run`);
  const name = `uas_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withClient(serverUrl, (c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  return {
    url: databaseUrl(serverUrl, name),
    drop: () =>
      withClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
