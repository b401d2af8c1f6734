import request from 'supertest';

import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { TcpProxy, viaProxy } from '../setup/tcp-proxy';
import { startTestServer, TestServer } from '../setup/test-server';

describe('health', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let server: TestServer;

  beforeAll(async () => {
    db = await createTestDatabase();
    const target = new URL(db.url);
    proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
    server = await startTestServer({ databaseUrl: viaProxy(db.url, proxy) });
  });

  afterAll(async () => {
    await server?.close();
    await proxy?.close();
    await db?.drop();
  });

  it('is live and ready with the database up', async () => {
    expect((await request(server.http).get('/health')).body).toEqual({ status: 'ok' });
    const ready = await request(server.http).get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready' });
  });

  it('answers 503 within 10 s while the database is unreachable, and 200 again when it returns', async () => {
    await proxy.cut();

    const started = Date.now();
    const down = await request(server.http).get('/health/ready');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(down.status).toBe(503);
    expect(down.headers['retry-after']).toBeDefined();
    expect(down.body).toEqual({
      error: 'temporarily_unavailable',
      error_description: expect.any(String),
    });
    expect((await request(server.http).get('/health')).status).toBe(200);

    await proxy.restore();

    const up = await request(server.http).get('/health/ready');
    expect(up.status).toBe(200);
  });
});
