import { Client } from 'pg';

/**
 * With DATABASE_URL, checks the server answers before any test starts (one clear failure
 * instead of one per file) and drops databases left by interrupted earlier runs.
 * Without it, every test file starts its own embedded engine.
 */
export default async function globalSetup(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) return;
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`DATABASE_URL does not answer: ${(error as Error).message}`);
  }
  try {
    const stale = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'uas_test_%'
       AND (pg_stat_file('base/' || oid || '/PG_VERSION', true)).modification < now() - interval '1 hour'`,
    ).catch(() => ({ rows: [] as { datname: string }[] }));
    for (const { datname } of stale.rows) {
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}
