import { randomBytes } from 'node:crypto';

import { Client } from 'pg';

import { EmbeddedPostgres } from '@app/persistence';

/** A database of one's own for one test file. */
export interface TestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/**
 * A fresh, empty database: created next to DATABASE_URL on its server, or an in-memory
 * embedded engine when DATABASE_URL is unset (CONTRACT §1, npm test).
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const engine = await EmbeddedPostgres.start(null);
    return { url: engine.url, drop: () => engine.stop() };
  }
  const name = `uas_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withClient(serverUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
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
