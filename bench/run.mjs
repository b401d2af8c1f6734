// `npm run bench`: our server against node-oidc-provider, case by case, same machine, same run.
//
// Builds the server, starts it on PostgreSQL (a fresh database on DATABASE_URL's server, or the
// embedded engine when DATABASE_URL is unset), seeds clients and users through the admin API,
// and drives each case with autocannon (in this process) for a bounded time. Each case starts
// every server afresh; they run side by side and are measured in alternating rounds, so a drift
// in the machine's speed touches them alike. Server CPU is read from /proc (utime + stime of the
// server and all its descendants), RSS sampled from /proc.
// Prints a table and writes JSON to bench/results/. Everything it starts, it stops.
//
// Environment (all optional):
//   BENCH_SECONDS (9)        measured seconds per server and case, split into BENCH_ROUNDS (3)
//   BENCH_WARMUP_SECONDS (5), and BENCH_ROUND_WARMUP_SECONDS (1) before every round
//   BENCH_CONNECTIONS (16)   concurrent connections         BENCH_CASES (all) comma list
//   BENCH_SERVERS (uas-fastify,uas-express,oidc-provider,floor)  BENCH_PROFILE=1: --cpu-prof
//                            per case. `floor` (bench/floor/server.mjs) runs only the two signing
//                            cases: bare node:http and the signatures, the most any server can reach
//   BENCH_UAS_ENV            extra env for our server, e.g. "WEB_CONCURRENCY=2"
//   BENCH_VARIANT_ARGS, BENCH_VARIANT_ENV: with `uas-variant` in BENCH_SERVERS, our server again
//                            (Fastify) with these node flags / NAME=value pairs on top of
//                            start:prod's (-NAME unsets one), measured side by side with it: how
//                            a setting is judged
//   BENCH_VARIANT_MAIN       the variant's main.js instead of dist's: a copy of an earlier build
//                            (e.g. `cp -r dist dist-before`), to judge a code change side by side
//   BENCH_OUT                results file name (default: <iso date>.json)
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
const pg = require('pg');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 9);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ROUND_WARMUP_SECONDS = Number(process.env.BENCH_ROUND_WARMUP_SECONDS ?? 1);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const PROFILE = process.env.BENCH_PROFILE === '1';
// Our server twice, once per HTTP_ADAPTER (Fastify is the default, Express the design's supported one).
const SERVERS = (process.env.BENCH_SERVERS ?? 'uas-fastify,uas-express,oidc-provider,floor').split(
  ',',
);
const isUas = (name) => name.startsWith('uas-');
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim() || 100);
const PASSWORD = 'Bench-password-1234!';
const REDIRECT_URI = 'http://127.0.0.1/cb';
const PKCE_VERIFIER = 'bench-verifier-0123456789-abcdefghijklmnopqrstuvwxyz';
const PKCE_CHALLENGE = createHash('sha256').update(PKCE_VERIFIER).digest('base64url');
// Refresh tokens per server: every autocannon run ends with up to one request per connection in
// flight, whose rotated successor never comes back to the pool (warm-up, and per round a
// warm-up and the round).
const POOL_SIZE = CONNECTIONS * (2 * ROUNDS + 4);

const started = new Set(); // child processes to kill on exit
const cleanups = [];

// ---------------------------------------------------------------------------------------------
// /proc readings

function cpuTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  } catch {
    return 0;
  }
}

function descendants(pid) {
  const all = [pid];
  for (let i = 0; i < all.length; i += 1) {
    try {
      for (const task of readdirSync(`/proc/${all[i]}/task`)) {
        const kids = readFileSync(`/proc/${all[i]}/task/${task}/children`, 'utf8').trim();
        if (kids) all.push(...kids.split(' ').map(Number));
      }
    } catch {
      /* gone */
    }
  }
  return all;
}

function rssKb(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** PostgreSQL's own CPU (all `postgres` processes on this machine), to show what the database costs. */
function postgresPids() {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres')
        pids.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return pids;
}

/** Server CPU (whole process tree), PostgreSQL CPU, and peak RSS sampled every 100 ms. */
function startMeter(pid) {
  const cpu = (pids) => pids.reduce((sum, p) => sum + cpuTicks(p), 0);
  const pgStart = new Map(postgresPids().map((p) => [p, cpuTicks(p)]));
  const serverStart = cpu(descendants(pid));
  const harnessStart = process.cpuUsage();
  let peakTotalKb = 0;
  let peakProcessKb = 0;
  let processes = 1;
  const sample = () => {
    const pids = descendants(pid);
    const each = pids.map(rssKb);
    processes = Math.max(processes, pids.length);
    peakTotalKb = Math.max(
      peakTotalKb,
      each.reduce((a, b) => a + b, 0),
    );
    peakProcessKb = Math.max(peakProcessKb, ...each);
  };
  sample();
  const timer = setInterval(sample, 100);
  const t0 = process.hrtime.bigint();
  return () => {
    clearInterval(timer);
    sample();
    const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    let pgTicks = 0;
    for (const p of postgresPids()) pgTicks += cpuTicks(p) - (pgStart.get(p) ?? 0);
    const harness = process.cpuUsage(harnessStart);
    return {
      wallSeconds,
      serverCpuSeconds: (cpu(descendants(pid)) - serverStart) / CLK_TCK,
      postgresCpuSeconds: pgTicks / CLK_TCK,
      loadGeneratorCpuSeconds: (harness.user + harness.system) / 1e6,
      processes,
      peakRssMb: peakProcessKb / 1024,
      peakRssTotalMb: peakTotalKb / 1024,
    };
  };
}

// ---------------------------------------------------------------------------------------------
// Processes

/**
 * A port for a server to listen on: below Linux's ephemeral range (32768–60999), where a port
 * can be taken between the pick and the listen by any outgoing connection (a PostgreSQL pool's,
 * say). A port another listener holds fails the start with EADDRINUSE, which prepareCase retries.
 */
function freePort() {
  return 20000 + Math.floor(Math.random() * 12000);
}

function spawnServer(name, args, env) {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let output = '';
  child.stdout.on('data', (d) => (output = (output + d).slice(-4000)));
  child.stderr.on('data', (d) => (output = (output + d).slice(-4000)));
  child.on('exit', () => started.delete(child));
  child.name = name;
  child.output = () => output;
  return child;
}

async function stopServer(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
  await exited;
  clearTimeout(timer);
}

async function waitFor(url, child, seconds = 60) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${child.name} exited: ${child.output()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${child.name} did not answer ${url} within ${seconds} s: ${child.output()}`);
}

function killAll() {
  for (const child of started) child.kill('SIGKILL');
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    killAll();
    for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
    process.exit(130);
  });
}

// ---------------------------------------------------------------------------------------------
// Our server

async function prepareDatabase() {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'uas-bench-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    return { env: { DATA_DIR: dataDir }, label: 'embedded PGlite (DATABASE_URL unset)' };
  }
  const name = `uas_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const version = (await admin.query('SHOW server_version')).rows[0].server_version;
  await admin.end();
  cleanups.push(async () => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.end();
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    label: `PostgreSQL ${version} (fresh database ${name})`,
    // A running deployment's tables carry statistics: autovacuum analyzes a table soon after it
    // grows (within autovacuum_naptime, a minute). A fresh database has none, and a connection
    // keeps the generic plan it made for a prepared statement until the statistics change: the
    // first server of a case, whose connections planned on near-empty tables, went on scanning
    // the tables the load grew, and a second copy of that same server started after it measured
    // 10% more refreshes per CPU-second. ANALYZE before the rounds replans every connection alike
    // (PostgreSQL re-plans a prepared statement once its tables' statistics are updated).
    analyze: async () => {
      const c = new pg.Client({ connectionString: url.toString() });
      await c.connect();
      try {
        await c.query('ANALYZE');
      } finally {
        await c.end();
      }
    },
  };
}

// Our server runs exactly as `npm run start:prod` runs it (environment and node flags), minus npm.
const PROD_COMMAND = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts[
  'start:prod'
].split(/\s+/);
const PROD_ENV = Object.fromEntries(
  PROD_COMMAND.slice(0, PROD_COMMAND.indexOf('node'))
    .filter((pair) => pair.includes('=')) // not the shell's `exec`
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);
const PROD_ARGS = PROD_COMMAND.slice(PROD_COMMAND.indexOf('node') + 1);

const MASTER_KEY = randomBytes(32).toString('base64url');
const ADMIN_TOKEN = randomBytes(24).toString('base64url');

/** NAME=value pairs separated by white space, each split at its first `=`. */
function envPairs(text) {
  return Object.fromEntries(
    (text ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => {
        // -NAME: unset NAME (spawn leaves out a variable whose value is undefined).
        if (/^-[A-Za-z_][A-Za-z0-9_]*$/.test(pair)) return [pair.slice(1), undefined];
        const at = pair.indexOf('=');
        if (at < 1) throw new Error(`not NAME=value: ${pair}`);
        return [pair.slice(0, at), pair.slice(at + 1)];
      }),
  );
}

function extraUasEnv() {
  return envPairs(process.env.BENCH_UAS_ENV);
}

async function startUas(db, caseName, serverName) {
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const args = PROFILE
    ? [
        `--cpu-prof`,
        `--cpu-prof-dir=${path.join(root, 'bench/profiles')}`,
        `--cpu-prof-name=${serverName}-${caseName}-${Date.now()}.cpuprofile`,
      ]
    : [];
  // `uas-variant`: start:prod's flags, then the variant's (a later V8 flag wins), then the script.
  const variant = serverName === 'uas-variant';
  const variantArgs = variant
    ? (process.env.BENCH_VARIANT_ARGS ?? '').split(/\s+/).filter(Boolean)
    : [];
  const main = (variant && process.env.BENCH_VARIANT_MAIN) || PROD_ARGS.at(-1);
  const nodeArgs = [...PROD_ARGS.slice(0, -1), ...variantArgs, main];
  const child = spawnServer(serverName, [...args, ...nodeArgs], {
    ...db.env,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    ISSUER: `${base}/uas`,
    MASTER_KEY,
    ADMIN_TOKEN,
    // Logging as shipped (LOG_LEVEL info: one access line per request), like audit and metrics.
    HTTP_ADAPTER: variant ? 'fastify' : serverName.slice('uas-'.length),
    ...PROD_ENV,
    ...extraUasEnv(),
    ...(variant ? envPairs(process.env.BENCH_VARIANT_ENV) : {}),
  });
  await waitFor(`${base}/health/ready`, child);
  return { child, base, issuerPath: '/uas' };
}

async function adminPost(base, pathName, body) {
  const res = await fetch(`${base}/admin/v1${pathName}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (res.status !== 201)
    throw new Error(`admin ${pathName}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function seedUas(base) {
  const cc = await adminPost(base, '/clients', {
    client_name: 'bench client_credentials',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  });
  const rt = await adminPost(base, '/clients', {
    client_name: 'bench code, password, refresh',
    grant_types: ['authorization_code', 'password', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [REDIRECT_URI],
  });
  const users = [];
  for (let i = 0; i < 4; i += 1) {
    users.push(
      await adminPost(base, '/users', {
        username: `bench-user-${i}@example.com`,
        password: PASSWORD,
        name: `Bench User ${i}`,
        email: `bench-user-${i}@example.com`,
        email_verified: true,
      }),
    );
  }
  return { cc, rt, users };
}

function basic(id, secret) {
  const e = (v) => encodeURIComponent(v).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${e(id)}:${e(secret)}`).toString('base64')}`;
}

const FORM = 'application/x-www-form-urlencoded';

async function postForm(url, authorization, form) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization, 'content-type': FORM },
    body: new URLSearchParams(form),
  });
  const json = await res.json();
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Refresh tokens (with openid: each refresh also signs an ID token) from the password grant. */
async function mintUasTokens(server, seed, count) {
  const url = `${server.base}${server.issuerPath}/oauth2/token`;
  const auth = basic(seed.rt.client_id, seed.rt.client_secret);
  const out = [];
  for (let i = 0; i < count; i += 8) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(8, count - i) }, (_, j) =>
        postForm(url, auth, {
          grant_type: 'password',
          username: seed.users[(i + j) % seed.users.length].username,
          password: PASSWORD,
          scope: 'openid',
        }),
      ),
    );
    out.push(...batch);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The peer

const PEER_SECRET = randomBytes(32).toString('base64url');
const PEER_CLIENTS = { cc: 'bench-cc', rt: 'bench-rt' };

async function startPeer(caseName) {
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const args = PROFILE
    ? [
        `--cpu-prof`,
        `--cpu-prof-dir=${path.join(root, 'bench/profiles')}`,
        `--cpu-prof-name=peer-${caseName}-${Date.now()}.cpuprofile`,
      ]
    : [];
  const child = spawnServer('oidc-provider', [...args, 'bench/peer/oidc-provider.mjs'], {
    NODE_ENV: 'production',
    BENCH_PEER: JSON.stringify({ port, clients: PEER_CLIENTS, secret: PEER_SECRET }),
  });
  await waitFor(`${base}/.well-known/openid-configuration`, child);
  return { child, base };
}

/** Refresh (or, from the peer, access) tokens minted by a bench server outside the measurement. */
async function mint(base, kind, count) {
  const res = await fetch(`${base}/bench/mint?kind=${kind}&count=${count}`);
  return res.json();
}

// ---------------------------------------------------------------------------------------------
// The floor: bare node:http and the RS256 signatures, nothing else (bench/floor/server.mjs). Its
// ratio to the peer is the most any server could reach in a signing case on this machine.

const FLOOR_AUTH = basic('floor', PEER_SECRET);

async function startFloor() {
  const port = freePort();
  const child = spawnServer('floor', ['bench/floor/server.mjs'], {
    BENCH_FLOOR: JSON.stringify({ port, auth: FLOOR_AUTH }),
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/bench/mint?kind=refresh&count=0`, child);
  return { child, base };
}

// ---------------------------------------------------------------------------------------------
// Cases: each returns autocannon options for a started server, or null when the server has no
// such case. `prepare` runs before warm-up, outside the measurement.

/** A pool of single-use values: each request takes one, each response gives the next back. */
function rotatingPool(values) {
  const pool = [...values];
  return {
    take: () => pool.shift(),
    give: (v) => v && pool.push(v),
    size: () => pool.length,
  };
}

function refreshRequests(url, auth, pool, state) {
  return [
    {
      method: 'POST',
      path: url,
      headers: { authorization: auth, 'content-type': FORM },
      setupRequest(req, context) {
        const token = pool.take();
        if (!token) {
          state.starved += 1;
          return null;
        }
        context.token = token;
        return {
          ...req,
          body: new URLSearchParams({
            grant_type: 'refresh_token',
            refresh_token: token,
          }).toString(),
        };
      },
      onResponse(status, body, _context) {
        if (status === 200) pool.give(JSON.parse(body).refresh_token);
        else state.failures.push(`${status} ${body.slice(0, 200)}`);
      },
    },
  ];
}

const CASES = {
  discovery: {
    what: 'GET metadata document',
    uas: async (s) => ({
      requests: [{ method: 'GET', path: `${s.issuerPath}/.well-known/openid-configuration` }],
    }),
    peer: async (_s) => ({
      requests: [{ method: 'GET', path: '/.well-known/openid-configuration' }],
    }),
  },
  jwks: {
    what: 'GET JWKS',
    uas: async (s) => ({
      requests: [{ method: 'GET', path: `${s.issuerPath}/oauth2/metadata.jwks` }],
    }),
    peer: async () => ({ requests: [{ method: 'GET', path: '/jwks' }] }),
  },
  client_credentials: {
    what: 'client_secret_basic, RS256 JWT access token',
    uas: async (s, seed) => ({
      requests: [
        {
          method: 'POST',
          path: `${s.issuerPath}/oauth2/token`,
          headers: {
            authorization: basic(seed.cc.client_id, seed.cc.client_secret),
            'content-type': FORM,
          },
          body: 'grant_type=client_credentials',
        },
      ],
    }),
    peer: async () => ({
      requests: [
        {
          method: 'POST',
          path: '/token',
          headers: { authorization: basic(PEER_CLIENTS.cc, PEER_SECRET), 'content-type': FORM },
          body: 'grant_type=client_credentials&scope=api',
        },
      ],
    }),
    floor: async () => ({
      requests: [
        {
          method: 'POST',
          path: '/token',
          headers: { authorization: FLOOR_AUTH, 'content-type': FORM },
          body: 'grant_type=client_credentials',
        },
      ],
    }),
  },
  refresh_token: {
    what: 'rotation; RS256 JWT access token + ID token',
    uas: async (s, seed, state) => {
      const tokens = await mintUasTokens(s, seed, POOL_SIZE);
      const pool = rotatingPool(tokens.map((t) => t.refresh_token));
      return {
        requests: refreshRequests(
          `${s.issuerPath}/oauth2/token`,
          basic(seed.rt.client_id, seed.rt.client_secret),
          pool,
          state,
        ),
      };
    },
    peer: async (s, _seed, state) => {
      const pool = rotatingPool(await mint(s.base, 'refresh', POOL_SIZE));
      return {
        requests: refreshRequests('/token', basic(PEER_CLIENTS.rt, PEER_SECRET), pool, state),
      };
    },
    floor: async (s, _seed, state) => {
      const pool = rotatingPool(await mint(s.base, 'refresh', POOL_SIZE));
      return { requests: refreshRequests('/token', FLOOR_AUTH, pool, state) };
    },
  },
  password: {
    what: 'password grant, argon2id (m=19 MiB, t=2) + tokens',
    uas: async (s, seed) => {
      let i = 0;
      return {
        requests: [
          {
            method: 'POST',
            path: `${s.issuerPath}/oauth2/token`,
            headers: {
              authorization: basic(seed.rt.client_id, seed.rt.client_secret),
              'content-type': FORM,
            },
            setupRequest(req) {
              const user = seed.users[(i += 1) % seed.users.length];
              return {
                ...req,
                body: new URLSearchParams({
                  grant_type: 'password',
                  username: user.username,
                  password: PASSWORD,
                  scope: 'openid',
                }).toString(),
              };
            },
          },
        ],
      };
    },
    peer: null, // oidc-provider implements no password grant (removed from OAuth 2.1)
  },
  introspection: {
    what: 'introspect an access token (ours: JWT + liveness query; peer: opaque, in memory)',
    uas: async (s, seed) => {
      const { access_token } = await postForm(
        `${s.base}${s.issuerPath}/oauth2/token`,
        basic(seed.cc.client_id, seed.cc.client_secret),
        { grant_type: 'client_credentials' },
      );
      return {
        requests: [
          {
            method: 'POST',
            path: `${s.issuerPath}/oauth2/introspection`,
            headers: {
              authorization: basic(seed.cc.client_id, seed.cc.client_secret),
              'content-type': FORM,
            },
            body: `token=${access_token}`,
          },
        ],
      };
    },
    peer: async (s) => {
      // The peer cannot introspect its own JWT access tokens: it introspects an opaque one.
      const [token] = await mint(s.base, 'access', 1);
      return {
        requests: [
          {
            method: 'POST',
            path: '/token/introspection',
            headers: { authorization: basic(PEER_CLIENTS.rt, PEER_SECRET), 'content-type': FORM },
            body: `token=${token}`,
          },
        ],
      };
    },
  },
  userinfo: {
    what: 'GET userinfo with a Bearer access token',
    uas: async (s, seed) => {
      const [t] = await mintUasTokens(s, seed, 1);
      return {
        requests: [
          {
            method: 'GET',
            path: `${s.issuerPath}/oauth2/userinfo`,
            headers: { authorization: `Bearer ${t.access_token}` },
          },
        ],
      };
    },
    peer: async (s) => {
      const [token] = await mint(s.base, 'access', 1);
      return {
        requests: [{ method: 'GET', path: '/me', headers: { authorization: `Bearer ${token}` } }],
      };
    },
  },
  authorization_code: {
    what: 'whole flow per unit: authorization request (login page), login post, code for tokens',
    flowRequests: 3,
    uas: async (s, seed, state) => {
      let i = 0;
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: seed.rt.client_id,
        redirect_uri: REDIRECT_URI,
        scope: 'openid',
        state: 'bench',
        code_challenge: PKCE_CHALLENGE,
        code_challenge_method: 'S256',
      });
      const authPath = `${s.issuerPath}/oauth2/authorization`;
      const fail = (status, body) => state.failures.push(`${status} ${String(body).slice(0, 200)}`);
      return {
        requests: [
          {
            method: 'GET',
            path: `${authPath}?${query}`,
            onResponse(status, body, context, headers) {
              if (status !== 200) return fail(status, body);
              context.ticket = /name="login_ticket" value="([^"]+)"/.exec(body)?.[1];
              context.cookie = String(header(headers, 'set-cookie') ?? '').split(';')[0];
            },
          },
          {
            method: 'POST',
            path: authPath,
            setupRequest(req, context) {
              const user = seed.users[(i += 1) % seed.users.length];
              return {
                ...req,
                headers: { 'content-type': FORM, cookie: context.cookie },
                body: new URLSearchParams({
                  login_ticket: context.ticket,
                  username: user.username,
                  password: PASSWORD,
                }).toString(),
              };
            },
            onResponse(status, body, context, headers) {
              if (status !== 303) return fail(status, body);
              context.code = new URL(header(headers, 'location')).searchParams.get('code');
            },
          },
          {
            method: 'POST',
            path: `${s.issuerPath}/oauth2/token`,
            setupRequest(req, context) {
              return {
                ...req,
                headers: {
                  authorization: basic(seed.rt.client_id, seed.rt.client_secret),
                  'content-type': FORM,
                },
                body: new URLSearchParams({
                  grant_type: 'authorization_code',
                  code: context.code,
                  redirect_uri: REDIRECT_URI,
                  code_verifier: PKCE_VERIFIER,
                }).toString(),
              };
            },
            onResponse(status, body) {
              if (status !== 200) return fail(status, body);
              state.flows += 1;
            },
          },
        ],
      };
    },
    peer: null, // its login is an interaction app of its own; not driven here
  },
};

// ---------------------------------------------------------------------------------------------
// Running

function cannon(url, options, seconds) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url, connections: CONNECTIONS, pipelining: 1, duration: seconds, timeout: 10, ...options },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    instance.on('error', reject);
  });
}

/**
 * Starts `serverName` for the case, seeds it (once per run, our server), builds the requests and
 * warms it up. Null when the server has no such case.
 */
async function prepareCase(caseName, serverName, db, seedRef) {
  const spec = CASES[caseName];
  const builder = isUas(serverName) ? spec.uas : serverName === 'floor' ? spec.floor : spec.peer;
  if (!builder) return null;
  const start = () =>
    isUas(serverName)
      ? startUas(db, caseName, serverName)
      : serverName === 'floor'
        ? startFloor()
        : startPeer(caseName);
  let server;
  for (let attempt = 1; !server; attempt += 1) {
    try {
      server = await start();
    } catch (error) {
      // The random port was taken: another one.
      if (attempt >= 3 || !String(error?.message).includes('EADDRINUSE')) throw error;
    }
  }
  try {
    if (isUas(serverName) && !seedRef.value) seedRef.value = await seedUas(server.base);
    const state = { failures: [], starved: 0, flows: 0 };
    const options = await builder(server, seedRef.value, state);
    await cannon(server.base, options, WARMUP_SECONDS);
    return { spec, serverName, server, options, state, warmupFailures: state.failures.length };
  } catch (error) {
    await stopServer(server.child);
    throw error;
  }
}

/**
 * One measured round on a prepared server: what autocannon and the meter saw. A second of load
 * first: a server left idle while the others ran its rounds has had its idle database
 * connections closed (the pool's 10 s idle timeout) and its heap shrunk, which the first
 * measured requests would otherwise pay for (the peer has no pool).
 */
async function measureRound(prepared, seconds) {
  const { spec, server, options, state } = prepared;
  if (ROUND_WARMUP_SECONDS > 0) await cannon(server.base, options, ROUND_WARMUP_SECONDS);
  state.flows = 0;
  const stop = startMeter(server.child.pid);
  const result = await cannon(server.base, options, seconds);
  const m = stop();
  const units = spec.flowRequests ? state.flows : result.requests.total - result.non2xx;
  return { result, m, units };
}

/** The rounds of one server in one case, summed: rates are total units over total seconds. */
function caseRow(caseName, prepared, rounds) {
  const { spec, serverName, state, warmupFailures } = prepared;
  const sum = (f) => rounds.reduce((a, r) => a + f(r), 0);
  const max = (f) => Math.max(...rounds.map(f));
  const units = sum((r) => r.units);
  const m = {
    wallSeconds: sum((r) => r.m.wallSeconds),
    serverCpuSeconds: sum((r) => r.m.serverCpuSeconds),
    postgresCpuSeconds: sum((r) => r.m.postgresCpuSeconds),
    loadGeneratorCpuSeconds: sum((r) => r.m.loadGeneratorCpuSeconds),
    processes: max((r) => r.m.processes),
    peakRssMb: max((r) => r.m.peakRssMb),
    peakRssTotalMb: max((r) => r.m.peakRssTotalMb),
  };
  const latencies = rounds.map((r) => r.result.latency);
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return {
    case: caseName,
    server: serverName,
    unit: spec.flowRequests ? 'flow' : 'request',
    requests: sum((r) => r.result.requests.total),
    units,
    perSecond: round(units / m.wallSeconds),
    perServerCpuSecond: round(units / m.serverCpuSeconds),
    perTotalCpuSecond: round(units / (m.serverCpuSeconds + m.postgresCpuSeconds)),
    // Per round, for the spread within the run.
    roundsPerServerCpuSecond: rounds.map((r) => round(r.units / r.m.serverCpuSeconds)),
    latencyMs: {
      p50: median(latencies.map((l) => l.p50)),
      p99: Math.max(...latencies.map((l) => l.p99)),
      max: Math.max(...latencies.map((l) => l.max)),
    },
    ...Object.fromEntries(
      Object.entries(m).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v]),
    ),
    non2xx: sum(
      (r) =>
        r.result.non2xx - (spec.flowRequests ? (r.result.statusCodeStats?.['303']?.count ?? 0) : 0),
    ),
    errors: sum((r) => r.result.errors + r.result.timeouts),
    warmupFailures,
    failures: state.failures.slice(warmupFailures, warmupFailures + 5),
    poolStarved: state.starved,
    requestsPerUnit: spec.flowRequests ?? 1,
  };
}

/**
 * Every server of the case runs at once, idle but for its own rounds, and the rounds alternate
 * (ours, the peer, the peer, ours, …): a machine whose speed drifts over seconds (a shared VM)
 * then slows both sides alike, where one long measurement per server compared two different
 * stretches of time.
 */
async function runCase(caseName, db, seedRef, flip) {
  const prepared = [];
  try {
    for (const serverName of SERVERS) {
      const p = await prepareCase(caseName, serverName, db, seedRef);
      if (p) prepared.push(p);
    }
    await db.analyze?.();
    const rounds = new Map(prepared.map((p) => [p, []]));
    for (let i = 0; i < ROUNDS; i += 1) {
      const order = (i + flip) % 2 === 0 ? prepared : [...prepared].reverse();
      for (const p of order) rounds.get(p).push(await measureRound(p, SECONDS / ROUNDS));
    }
    return prepared.map((p) => caseRow(caseName, p, rounds.get(p)));
  } finally {
    for (const p of prepared) await stopServer(p.server.child);
  }
}

/** autocannon keeps the server's spelling of header names. */
function header(headers, name) {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

function round(v) {
  return Math.round(v * 100) / 100;
}

// argon2id at the server's parameters (m=19 MiB, t=2, p=1), by the library the server hashes
// with, and by libargon2 (the C reference code, which the server used before) for comparison.
const ARGON2_LIBRARIES = {
  server: `const { hash, verify } = require('@node-rs/argon2');
    const make = () => hash('x', { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 });`,
  libargon2: `const argon2 = require('argon2'); const verify = argon2.verify;
    const make = () => argon2.hash('x', { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 });`,
};

function passwordHashBaseline(library, { perCore = false } = {}) {
  // What argon2id alone allows on these cores: the server's own parameters, and libuv's default
  // pool of 4 threads with 16 hashes asked for at once; `perCore`: one hash per core at a time,
  // as the server's hash slots compute them (on 2 cores, fewer hashes at once cost less CPU each).
  const cores = os.cpus().length;
  const concurrency = perCore ? cores : CONNECTIONS;
  const script = `
    ${ARGON2_LIBRARIES[library]}
    (async () => {
      const hash = await make();
      const until = Date.now() + ${Math.max(3, SECONDS - 2)} * 1000; let n = 0;
      const t0 = process.cpuUsage(); const w0 = Date.now();
      await Promise.all(Array.from({ length: ${concurrency} }, async () => { while (Date.now() < until) { if (!(await verify(hash, 'x'))) throw new Error('no match'); n += 1; } }));
      const c = process.cpuUsage(t0);
      console.log(JSON.stringify({ perSecond: n / ((Date.now() - w0) / 1000), perCpuSecond: n / ((c.user + c.system) / 1e6) }));
    })();`;
  const out = spawnSync(process.execPath, ['-e', script], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    env: perCore ? { ...process.env, UV_THREADPOOL_SIZE: String(cores) } : process.env,
  });
  if (out.status !== 0) throw new Error(`argon2id baseline (${library}) failed: ${out.stderr}`);
  return JSON.parse(out.stdout.trim());
}

/** The mean of baseline measurements, with the measurements. */
function meanBaseline(measurements) {
  if (!measurements.length) return null;
  const mean = (key) => round(measurements.reduce((a, b) => a + b[key], 0) / measurements.length);
  return { perSecond: mean('perSecond'), perCpuSecond: mean('perCpuSecond'), measurements };
}

function table(rows, baseline, libargon2, perCore) {
  const lines = [];
  const pad = (v, n) => String(v).padStart(n);
  lines.push(
    `${'case'.padEnd(20)}${'server'.padEnd(15)}${pad('per s', 9)}${pad('/srv CPU-s', 11)}${pad('/srv+pg CPU-s', 14)}${pad('ratio', 7)}${pad('p50 ms', 8)}${pad('p99 ms', 8)}${pad('RSS MB', 8)}${pad('procs', 6)}${pad('pg CPU', 8)}${pad('lg CPU', 8)}${pad('non2xx', 7)}${pad('err', 5)}`,
  );
  for (const caseName of Object.keys(CASES)) {
    const peer = rows.find((r) => r.case === caseName && r.server === 'oidc-provider');
    const caseRows = rows
      .filter((r) => r.case === caseName)
      .sort((a, b) => SERVERS.indexOf(a.server) - SERVERS.indexOf(b.server));
    for (const r of caseRows) {
      const ratio =
        r !== peer && peer ? `${(r.perServerCpuSecond / peer.perServerCpuSecond).toFixed(2)}x` : '';
      lines.push(
        `${caseName.padEnd(20)}${r.server.padEnd(15)}${pad(r.perSecond.toFixed(0), 9)}${pad(r.perServerCpuSecond.toFixed(0), 11)}${pad(r.perTotalCpuSecond.toFixed(0), 14)}${pad(ratio, 7)}${pad(r.latencyMs.p50, 8)}${pad(r.latencyMs.p99, 8)}${pad(r.peakRssMb.toFixed(0), 8)}${pad(r.processes, 6)}${pad(r.postgresCpuSeconds.toFixed(1), 8)}${pad(r.loadGeneratorCpuSeconds.toFixed(1), 8)}${pad(r.non2xx, 7)}${pad(r.errors, 5)}`,
      );
    }
    if (caseRows.length && !peer && SERVERS.includes('oidc-provider'))
      lines.push(
        `${caseName.padEnd(20)}${'oidc-provider'.padEnd(15)}${pad('n/a', 9)}  ${CASES[caseName].peer === null ? (caseName === 'password' ? '(no password grant)' : '(its login interaction is not driven)') : ''}`,
      );
  }
  if (baseline) {
    lines.push('');
    lines.push(
      `argon2id alone on these cores (@node-rs/argon2, as the server): ${baseline.perSecond.toFixed(0)} hashes/s, ${baseline.perCpuSecond.toFixed(0)} per CPU-second`,
    );
    if (libargon2)
      lines.push(
        `  (libargon2, the \`argon2\` package: ${libargon2.perSecond.toFixed(0)} hashes/s, ${libargon2.perCpuSecond.toFixed(0)} per CPU-second)`,
      );
    for (const pw of rows.filter((r) => r.case === 'password')) {
      lines.push(
        `  password grant on ${pw.server}: ${((pw.perSecond / baseline.perSecond) * 100).toFixed(0)}% of its hashes/s, ${((pw.perServerCpuSecond / baseline.perCpuSecond) * 100).toFixed(0)}% of its hashes per CPU-second`,
      );
    }
    if (perCore) {
      lines.push(
        `one hash per core at a time (the server's hash slots): ${perCore.perSecond.toFixed(0)} hashes/s, ${perCore.perCpuSecond.toFixed(0)} per CPU-second`,
      );
      for (const pw of rows.filter((r) => r.case === 'password')) {
        lines.push(
          `  password grant on ${pw.server}: ${((pw.perSecond / perCore.perSecond) * 100).toFixed(0)}% of its hashes/s, ${((pw.perServerCpuSecond / perCore.perCpuSecond) * 100).toFixed(0)}% of its hashes per CPU-second`,
        );
      }
    }
  }
  return lines.join('\n');
}

/** Other work on the machine skews every number: the load average goes into the results. */
const LOAD_BEFORE = os.loadavg();

async function main() {
  const wanted = (process.env.BENCH_CASES ?? Object.keys(CASES).join(',')).split(',');
  console.log('building the server...');
  const build = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error('build failed');
  if (PROFILE) mkdirSync(path.join(root, 'bench/profiles'), { recursive: true });
  const db = await prepareDatabase();
  console.log(`database: ${db.label}`);
  if (LOAD_BEFORE[0] > 0.5)
    console.log(
      `note: load average ${LOAD_BEFORE[0].toFixed(2)} before the run: other work on this machine skews the results`,
    );
  console.log(
    `${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up + ${SECONDS} s measured per server and case in ${ROUNDS} alternating rounds, ${os.cpus().length} cores (${os.cpus()[0]?.model})`,
  );
  const seedRef = { value: null };
  const rows = [];
  const baselines = [];
  const libargon2Baselines = [];
  const perCoreBaselines = [];
  for (const [index, caseName] of wanted.entries()) {
    if (!CASES[caseName])
      throw new Error(`unknown case ${caseName}; cases: ${Object.keys(CASES).join(', ')}`);
    // argon2id alone just before and just after the password case, so the bound it is held to
    // comes from the same stretch of time.
    if (caseName === 'password') {
      baselines.push(passwordHashBaseline('server'));
      perCoreBaselines.push(passwordHashBaseline('server', { perCore: true }));
      libargon2Baselines.push(passwordHashBaseline('libargon2'));
    }
    const caseRows = await runCase(caseName, db, seedRef, index % 2);
    if (caseName === 'password') {
      libargon2Baselines.push(passwordHashBaseline('libargon2'));
      perCoreBaselines.push(passwordHashBaseline('server', { perCore: true }));
      baselines.push(passwordHashBaseline('server'));
    }
    for (const row of caseRows) {
      rows.push(row);
      console.log(
        `  ${caseName} / ${row.server}: ${row.perSecond.toFixed(0)}/s, ${row.perServerCpuSecond.toFixed(0)} per server CPU-s (rounds ${row.roundsPerServerCpuSecond.map((v) => v.toFixed(0)).join(', ')}), p99 ${row.latencyMs.p99} ms, non2xx ${row.non2xx}, errors ${row.errors}${row.failures.length ? `, e.g. ${row.failures[0]}` : ''}`,
      );
    }
  }
  const baseline = meanBaseline(baselines);
  const libargon2Baseline = meanBaseline(libargon2Baselines);
  const perCoreBaseline = meanBaseline(perCoreBaselines);
  const text = table(rows, baseline, libargon2Baseline, perCoreBaseline);
  console.log(`\n${text}\n`);
  console.log(
    'per s: units/s (authorization_code: whole flows/s); /srv CPU-s: units per CPU-second of the server process tree;',
  );
  console.log(
    '/srv+pg: also counting PostgreSQL CPU; ratio: ours / peer per server CPU-second; lg CPU: load generator (this process) CPU-s.',
  );
  if (rows.some((r) => r.server === 'floor'))
    console.log(
      'floor: bare node:http and the RS256 signatures alone (bench/floor/server.mjs), the most any server reaches in that case.',
    );
  const results = {
    date: new Date().toISOString(),
    machine: {
      cores: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      memoryMb: Math.round(os.totalmem() / 2 ** 20),
      node: process.version,
      platform: `${os.type()} ${os.release()}`,
      loadAverageBefore: LOAD_BEFORE,
      loadAverageAfter: os.loadavg(),
    },
    database: db.label,
    settings: {
      seconds: SECONDS,
      rounds: ROUNDS,
      roundWarmupSeconds: ROUND_WARMUP_SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      connections: CONNECTIONS,
      profile: PROFILE,
      uasCommand: PROD_COMMAND.join(' '),
      uasEnv: extraUasEnv(),
      ...(SERVERS.includes('uas-variant')
        ? {
            variantArgs: process.env.BENCH_VARIANT_ARGS ?? '',
            variantEnv: process.env.BENCH_VARIANT_ENV ?? '',
            variantMain: process.env.BENCH_VARIANT_MAIN ?? null,
          }
        : {}),
    },
    passwordHashBaseline: baseline,
    libargon2HashBaseline: libargon2Baseline,
    passwordHashPerCoreBaseline: perCoreBaseline,
    rows,
    table: text,
  };
  const dir = path.join(root, 'bench/results');
  mkdirSync(dir, { recursive: true });
  // BENCH_OUT: a name or relative path under bench/results/, or an absolute path.
  const file = path.resolve(
    dir,
    process.env.BENCH_OUT ?? `${results.date.replace(/[:.]/g, '-')}.json`,
  );
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`results: ${path.relative(root, file)}`);
}

try {
  await main();
} finally {
  killAll();
  for (const fn of cleanups.reverse())
    await fn().catch((e) => console.error(`cleanup: ${e.message}`));
}
