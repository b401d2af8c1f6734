import request from 'supertest';

import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { admin, adminCreateClient, adminCreateUser, basic, postForm } from '../setup/oauth';
import { TcpProxy, viaProxy } from '../setup/tcp-proxy';
import { startTestServer, TestServer } from '../setup/test-server';

/** CONTRACT §3: while PostgreSQL is unreachable, 503 within 10 s, nothing issued, and recovery by itself. */
describe('database outage', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let server: TestServer;
  let auth: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const target = new URL(db.url);
    proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
    server = await startTestServer({ databaseUrl: viaProxy(db.url, proxy) });
    const client = await adminCreateClient(server, { grant_types: ['client_credentials', 'password'] });
    auth = basic(client.client_id, client.client_secret!);
    await adminCreateUser(server, { username: 'hank', password: 'hanks long password' });
  });

  afterAll(async () => {
    await server?.close();
    await proxy?.close();
    await db?.drop();
  });

  const expectUnavailable = (res: request.Response) => {
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
  };

  it('answers 503 temporarily_unavailable at the token, introspection and admin endpoints, then recovers', async () => {
    const before = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, auth);
    expect(before.status).toBe(200);
    await proxy.cut();

    const timed = async (call: () => Promise<request.Response>) => {
      const started = Date.now();
      const res = await call();
      expect(Date.now() - started).toBeLessThan(10_000);
      return res;
    };
    expectUnavailable(await timed(() => postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, auth)));
    expectUnavailable(await timed(() => postForm(server, '/oauth2/token', { grant_type: 'password', username: 'hank', password: 'hanks long password' }, auth)));
    expectUnavailable(await timed(() => postForm(server, '/oauth2/introspection', { token: before.body.access_token }, auth)));
    expectUnavailable(await timed(() => admin(server).get('/admin/v1/clients')));
    // What needs no database keeps working.
    expect((await request(server.http).get('/uas/.well-known/openid-configuration')).status).toBe(200);

    await proxy.restore();

    const after = await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, auth);
    expect(after.status).toBe(200);
  });
});
