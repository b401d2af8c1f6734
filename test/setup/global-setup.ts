import { randomBytes } from 'node:crypto';

import { Client } from 'pg';

import { migrateDatabase } from '@app/persistence';

/** Names the migrated template of this run for every test file (createTestDatabase clones it). */
export const TEMPLATE_ENV = 'UAS_TEST_TEMPLATE_DATABASE';

/**
 * With DATABASE_URL: checks the server answers before any test starts (one clear failure
 * instead of one per file), drops databases left by interrupted earlier runs, and migrates one
 * template database with the real migrations, which each test file clones instead of migrating
 * its own (globalTeardown drops it). Without it, every test file starts its own embedded engine.
 */
export default async function globalSetup(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) return;
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`DATABASE_URL does not answer: ${(error as Error).message}`, { cause: error });
  }
  const template = `uas_template_${process.pid}_${randomBytes(4).toString('hex')}`;
  try {
    const stale = await client
      .query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE (datname LIKE 'uas_test_%' OR datname LIKE 'uas_template_%')
       AND (pg_stat_file('base/' || oid || '/PG_VERSION', true)).modification < now() - interval '1 hour'`,
      )
      .catch(() => ({ rows: [] as { datname: string }[] }));
    for (const { datname } of stale.rows) {
      await client
        .query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`)
        .catch(() => undefined);
    }
    await client.query(`CREATE DATABASE "${template}"`);
  } finally {
    await client.end();
  }
  // Migrated, then every connection to it closed: CREATE DATABASE … TEMPLATE refuses a template
  // anyone is connected to.
  await migrateDatabase(databaseUrl(url, template));
  process.env[TEMPLATE_ENV] = template;
}

/** `serverUrl` pointing at the database `name` on the same server. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
