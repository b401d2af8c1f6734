import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { accepts, freePort, newMasterKey, TEST_ADMIN_TOKEN } from '../setup/test-server';

const ROOT = path.resolve(__dirname, '../..');
const MAIN = 'dist/apps/server/src/main.js';

interface Started {
  readonly child: ChildProcess;
  readonly port: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderr(): string;
}

/**
 * The server as an operator stops it (`docker stop`, a supervisor, Ctrl-C): a SIGTERM right
 * after the last requests. Log lines leave the process in batches (4 KiB or 100 ms), so what the
 * stream still holds then must be written before the process ends, and the signal must reach
 * node whatever started it.
 */
describe('stopping on SIGTERM', () => {
  let db: TestDatabase;
  // One deployment: the keys the first server stores are sealed with this key.
  const masterKey = newMasterKey();
  const children: ChildProcess[] = [];
  /** The node processes the servers ran in, read from their log lines' `pid`. */
  const serverPids = new Set<number>();

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    // A node that outlived its npm (the defect the npm test is for) would hold the test run open.
    for (const pid of serverPids) {
      try {
        // Only if the pid is still one of our servers, not a process that took the number since.
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(MAIN))
          process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already, as it should be.
      }
    }
    await db?.drop();
  });

  /** Starts `command` (npm test built dist first) and waits until the server listens. */
  async function start(command: string, args: string[]): Promise<Started> {
    const port = await freePort();
    const child = spawn(command, args, {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(port),
        HOST: '127.0.0.1',
        ISSUER: `http://127.0.0.1:${port}/uas`,
        DATABASE_URL: db.url,
        MASTER_KEY: masterKey,
        ADMIN_TOKEN: TEST_ADMIN_TOKEN,
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'info',
        ...(process.env.HTTP_ADAPTER ? { HTTP_ADAPTER: process.env.HTTP_ADAPTER } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      // 'close', not 'exit': the output written last (the lines under test) has arrived by then.
      child.once('close', (code, signal) => resolve({ code, signal })),
    );
    const deadline = Date.now() + 30_000;
    while (!stdout.includes(`listening on 127.0.0.1:${port}`)) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`the server did not start: ${stdout}${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const pid = /"pid":(\d+)/.exec(stdout);
    if (pid) serverPids.add(Number(pid[1]));
    return { child, port, exited, stdout: () => stdout, stderr: () => stderr };
  }

  /** Five requests, fewer than 4 KiB of lines: the stream still holds them all at the signal. */
  async function requestsBeforeTheSignal(port: number): Promise<string[]> {
    const ids = Array.from({ length: 5 }, (_, i) => `stop-${i}-${Date.now()}`);
    for (const id of ids) {
      const res = await fetch(`http://127.0.0.1:${port}/uas/.well-known/openid-configuration`, {
        headers: { 'x-request-id': id },
      });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    return ids;
  }

  function accessLineIds(stdout: string): unknown[] {
    return stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === 'request')
      .map((line) => line.req_id);
  }

  it('writes the access line of every request answered before the signal, then exits 0', async () => {
    const server = await start(process.execPath, [MAIN]);
    const ids = await requestsBeforeTheSignal(server.port);

    server.child.kill('SIGTERM');
    const { code, signal } = await server.exited;

    expect({ code, signal, stderr: server.stderr() }).toEqual({
      code: 0,
      signal: null,
      stderr: '',
    });
    expect(accessLineIds(server.stdout())).toEqual(expect.arrayContaining(ids));
  }, 60_000);

  it('stops node gracefully when the signal goes to `npm run start:prod`', async () => {
    const server = await start('npm', ['run', 'start:prod']);
    const ids = await requestsBeforeTheSignal(server.port);

    server.child.kill('SIGTERM');
    const { code } = await server.exited;

    // npm passes the signal to its child only: without `exec`, that was the shell, and node
    // went on serving as an orphan.
    expect(code).toBe(0);
    // An orphaned node would still accept connections.
    expect(await accepts(server.port)).toBe(false);
    expect(accessLineIds(server.stdout())).toEqual(expect.arrayContaining(ids));
  }, 60_000);

  it('runs the container with start:prod’s settings, node itself as its process', () => {
    const script = (
      JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts['start:prod'].split(/\s+/);
    const node = script.indexOf('node');
    const scriptEnv = script.slice(0, node).filter((word) => word.includes('='));
    const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    const env = runtime
      .split('\n')
      .filter((line) => line.startsWith('ENV '))
      .flatMap((line) => line.slice('ENV '.length).trim().split(/\s+/));
    const cmd = /^CMD (.+)$/m.exec(runtime);

    expect(env).toEqual(expect.arrayContaining(scriptEnv));
    expect(JSON.parse(cmd?.[1] ?? 'null')).toEqual(script.slice(node));
  });
});
