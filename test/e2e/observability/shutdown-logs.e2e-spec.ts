import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import { freePort, newMasterKey, TEST_ADMIN_TOKEN } from '../../setup/test-server';

const MAIN = path.resolve(__dirname, '../../../dist/apps/server/src/main.js');

/**
 * The built server (npm test builds first) as `docker stop` stops it: a SIGTERM right after the
 * last requests. Log lines leave the process in batches (4 KiB or 100 ms), so what the stream
 * still holds at that moment must be written before the process ends.
 */
describe('stopping on SIGTERM', () => {
  let db: TestDatabase;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await db?.drop();
  });

  it('writes the access line of every request answered before the signal, then exits 0', async () => {
    const port = await freePort();
    const server = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(port),
        HOST: '127.0.0.1',
        ISSUER: `http://127.0.0.1:${port}/uas`,
        DATABASE_URL: db.url,
        MASTER_KEY: newMasterKey(),
        ADMIN_TOKEN: TEST_ADMIN_TOKEN,
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'info',
        ...(process.env.HTTP_ADAPTER ? { HTTP_ADAPTER: process.env.HTTP_ADAPTER } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = server;
    let stdout = '';
    let stderr = '';
    server.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    server.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      server.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const deadline = Date.now() + 30_000;
    while (!stdout.includes(`listening on 127.0.0.1:${port}`)) {
      if (server.exitCode !== null || Date.now() > deadline)
        throw new Error(`the server did not start: ${stdout}${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    // Fewer than 4 KiB of lines, so the stream still holds them all when the signal arrives.
    const ids = Array.from({ length: 5 }, (_, i) => `stop-${i}-${Date.now()}`);
    for (const id of ids) {
      const res = await fetch(`http://127.0.0.1:${port}/uas/.well-known/openid-configuration`, {
        headers: { 'x-request-id': id },
      });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    server.kill('SIGTERM');
    const { code, signal } = await exited;

    expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
    const logged = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === 'request')
      .map((line) => line.req_id);
    expect(logged).toEqual(expect.arrayContaining(ids));
  }, 60_000);
});
