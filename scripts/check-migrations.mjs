// STYLE §3: every schema change is a committed migration, and the entities describe the tables
// the migrations make. Migrates a fresh database (on DATABASE_URL's server, dropped afterwards;
// the embedded engine in memory without it) and fails, listing them, on
//  - the statements TypeORM would run to make it match the entities (its schema builder's log), and
//  - every column, constraint and index that differs from a second database TypeORM built from
//    the entities alone: the schema builder compares indexes and checks by name only, so a
//    partial index's WHERE or a CHECK's expression would otherwise drift unseen.
// Triggers and functions have no entity form and are not compared. Needs `npm run build` first
// (the npm script `check:migrations` does both).
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const persistence = path.join(root, 'dist/libs/persistence/src');
require('reflect-metadata');
const { Client } = require('pg');
const { DataSource } = require('typeorm');
const { dataSourceOptions, openDataSource, schemaDrift } = require(
  path.join(persistence, 'data-source.js'),
);
const { EmbeddedPostgres } = require(path.join(persistence, 'embedded-postgres.js'));

async function withClient(url, fn) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh database and how to remove it. */
async function freshDatabase() {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const engine = await EmbeddedPostgres.start(null);
    return { url: engine.url, drop: () => engine.stop() };
  }
  const name = `uas_check_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withClient(serverUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      withClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
  };
}

// Each line names one column, constraint or index exactly as PostgreSQL reports it.
const CATALOG = `
  SELECT format('column %s.%s %s %s default %s', table_name, column_name, udt_name,
           CASE is_nullable WHEN 'YES' THEN 'null' ELSE 'not null' END, coalesce(column_default, '-')) AS line
  FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'migrations'
  UNION ALL
  SELECT format('constraint %s.%s %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
  FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> 'migrations'
  UNION ALL
  SELECT format('index %s', indexdef) FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'migrations'
  ORDER BY 1`;

/** The catalog lines of the database at `url` once `open` made its schema, and `drift` there. */
async function catalogOf(url, open, drift = async () => []) {
  const dataSource = await open(dataSourceOptions(url));
  try {
    if (!(dataSource instanceof DataSource))
      throw new Error('dist/ and node_modules disagree on typeorm');
    const rows = await dataSource.query(CATALOG);
    return { lines: rows.map((r) => r.line), drift: await drift(dataSource) };
  } finally {
    await dataSource.destroy();
  }
}

const migrated = await freshDatabase();
const synchronized = await freshDatabase();
let fromMigrations;
let fromEntities;
try {
  fromMigrations = await catalogOf(migrated.url, openDataSource, schemaDrift);
  // The entities alone, as TypeORM would create them (never done to a real database).
  fromEntities = await catalogOf(synchronized.url, async (options) => {
    const dataSource = new DataSource({ ...options, migrations: [] });
    await dataSource.initialize();
    await dataSource.synchronize();
    return dataSource;
  });
} finally {
  await migrated.drop();
  await synchronized.drop();
}

const problems = [
  ...fromMigrations.drift.map(
    (statement) => `TypeORM would run: ${statement.trim().replace(/\s+/g, ' ')}`,
  ),
];
const inEntities = new Set(fromEntities.lines);
const inMigrations = new Set(fromMigrations.lines);
for (const line of fromMigrations.lines)
  if (!inEntities.has(line)) problems.push(`only in the migrations: ${line}`);
for (const line of fromEntities.lines)
  if (!inMigrations.has(line)) problems.push(`only in the entities:   ${line}`);

if (problems.length) {
  console.error('The entities and the migrations disagree:\n');
  for (const problem of problems) console.error(`  ${problem}`);
  console.error(
    `\n${problems.length} difference(s): fix the entity, or add the migration that makes the table so.`,
  );
  process.exit(1);
}
console.log(
  `entities match the migrated schema (${fromMigrations.lines.length} columns, constraints and indexes)`,
);
