import { randomBytes, randomUUID } from 'node:crypto';

import { Client } from 'pg';
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
    const client = await adminCreateClient(server, {
      grant_types: ['client_credentials', 'password'],
    });
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
    expect(res.body).toEqual({
      error: 'temporarily_unavailable',
      error_description: expect.any(String),
    });
  };

  it('answers 503 temporarily_unavailable at the token, introspection and admin endpoints, then recovers', async () => {
    const before = await postForm(
      server,
      '/oauth2/token',
      { grant_type: 'client_credentials' },
      auth,
    );
    expect(before.status).toBe(200);
    await proxy.cut();

    const timed = async (call: () => Promise<request.Response>) => {
      const started = Date.now();
      const res = await call();
      expect(Date.now() - started).toBeLessThan(10_000);
      return res;
    };
    expectUnavailable(
      await timed(() =>
        postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, auth),
      ),
    );
    expectUnavailable(
      await timed(() =>
        postForm(
          server,
          '/oauth2/token',
          { grant_type: 'password', username: 'hank', password: 'hanks long password' },
          auth,
        ),
      ),
    );
    expectUnavailable(
      await timed(() =>
        postForm(server, '/oauth2/introspection', { token: before.body.access_token }, auth),
      ),
    );
    expectUnavailable(await timed(() => admin(server).get('/admin/v1/clients')));
    // What needs no database keeps working.
    expect((await request(server.http).get('/uas/.well-known/openid-configuration')).status).toBe(
      200,
    );

    await proxy.restore();

    const after = await postForm(
      server,
      '/oauth2/token',
      { grant_type: 'client_credentials' },
      auth,
    );
    expect(after.status).toBe(200);
  });

  it('answers 503 with Retry-After at the browser endpoints too: pages at authorization and logout', async () => {
    // A cookie of a session token's form, so each endpoint looks its session up.
    const cookie = `uas_session=${randomBytes(32).toString('base64url')}`;
    // A client never asked for, so no cache answers for it.
    const authorization = `/uas/oauth2/authorization?${new URLSearchParams({
      response_type: 'code',
      client_id: randomUUID(),
      redirect_uri: 'https://app.example.com/cb',
    }).toString()}`;
    await proxy.cut();
    try {
      const pages = [
        await request(server.http).get(authorization),
        await request(server.http).get('/uas/oauth2/logout').set('Cookie', cookie),
        await request(server.http)
          .post('/uas/oauth2/logout')
          .type('form')
          .set('Cookie', cookie)
          .send({ ui_locales: 'fi' }),
      ];
      for (const page of pages) {
        expect(page.status).toBe(503);
        expect(page.headers['retry-after']).toBe('5');
        expect(page.headers['cache-control']).toBe('no-store');
        expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(page.text).toContain('<code>temporarily_unavailable</code>');
      }
      // The passkey page answers its errors as the API does.
      expectUnavailable(
        await request(server.http).get('/uas/oauth2/passkeys').set('Cookie', cookie),
      );
    } finally {
      await proxy.restore();
    }

    const after = await request(server.http).get('/uas/oauth2/logout').set('Cookie', cookie);
    expect(after.status).toBe(200);
  });

  it('answers 503 for a sign-in whose statement the lost connection was running, then recovers', async () => {
    const signIn = () =>
      postForm(
        server,
        '/oauth2/token',
        { grant_type: 'password', username: 'hank', password: 'hanks long password' },
        auth,
      );
    expect((await signIn()).status).toBe(200);
    // Holds the users table from a connection of its own, so the sign-in's first statement waits
    // on the server while the server's connection to it is cut.
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
      // supertest sends a request when it is awaited: then() sends it now.
      const waiting = signIn().then((res) => res);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await proxy.cut();

      expectUnavailable(await waiting);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
      await proxy.restore();
    }

    expect((await signIn()).status).toBe(200);
  });
});

/**
 * CONTRACT §3 and §5 with a network that drops packets instead of refusing connections: nothing
 * fails fast, so only timeouts can answer in time, and the connections that were open when it
 * started never come back, so the pool (and the notification listener) must throw them away.
 */
describe('database behind a network that drops packets', () => {
  const LIMIT_MS = 10_000;
  let db: TestDatabase;
  let proxy: TcpProxy;
  let server: TestServer;
  let auth: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const target = new URL(db.url);
    proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
    server = await startTestServer({ databaseUrl: viaProxy(db.url, proxy) });
    const client = await adminCreateClient(server, {
      grant_types: ['client_credentials', 'password', 'refresh_token'],
    });
    auth = basic(client.client_id, client.client_secret!);
    await adminCreateUser(server, { username: 'hank', password: 'hanks long password' });
  });

  afterAll(async () => {
    await server?.close();
    await proxy?.close();
    await db?.drop();
  });

  const clientCredentials = () =>
    postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, auth);
  const password = () =>
    postForm(
      server,
      '/oauth2/token',
      {
        grant_type: 'password',
        username: 'hank',
        password: 'hanks long password',
        scope: 'openid',
      },
      auth,
    );
  const ready = () => request(server.http).get('/health/ready');

  /** Runs every call at once; each must answer within LIMIT_MS. */
  async function allTimed(calls: (() => Promise<request.Response>)[]): Promise<request.Response[]> {
    return Promise.all(
      calls.map(async (call) => {
        const started = Date.now();
        const res = await call();
        expect(Date.now() - started).toBeLessThan(LIMIT_MS);
        return res;
      }),
    );
  }

  const expectUnavailable = (res: request.Response) => {
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).toEqual({
      error: 'temporarily_unavailable',
      error_description: expect.any(String),
    });
  };

  it('answers 503 within 10 s while packets are dropped, then recovers by itself once they pass', async () => {
    // Every pool connection open and idle, and the listener connected, when the network goes.
    const warm = await allTimed(Array.from({ length: 12 }, () => password));
    for (const res of warm) expect(res.status).toBe(200);
    const issued = warm[0].body.access_token as string;
    const refreshToken = warm[1].body.refresh_token as string;
    const anotherRefreshToken = warm[2].body.refresh_token as string;
    expect(
      (await postForm(server, '/oauth2/introspection', { token: issued }, auth)).body.active,
    ).toBe(true);
    expect((await ready()).status).toBe(200);

    proxy.blackhole();

    // More requests needing the database than the pool has connections, all at once.
    // Some of them run a transaction: the statement that times out must not leave a ROLLBACK
    // waiting on the same dead connection.
    const during = await allTimed([
      () => admin(server).post('/admin/v1/keys/rotate', {}),
      () =>
        postForm(
          server,
          '/oauth2/token',
          { grant_type: 'refresh_token', refresh_token: refreshToken, scope: 'openid' },
          auth,
        ),
      // Without a scope, the rotation goes through the batched statement (RefreshTokenRotations).
      () =>
        postForm(
          server,
          '/oauth2/token',
          { grant_type: 'refresh_token', refresh_token: anotherRefreshToken },
          auth,
        ),
      ready,
      ...Array.from({ length: 12 }, () => password),
      () => admin(server).get('/admin/v1/clients'),
    ]);
    for (const res of during) expectUnavailable(res);
    // Again, once the connections that were open are gone and new ones hang in the handshake; and
    // the listener has noticed its dead link by now, so nothing cached (the client, the token's
    // liveness) is served any more: nothing says it is still true.
    const later = await allTimed([
      ready,
      password,
      clientCredentials,
      () => postForm(server, '/oauth2/introspection', { token: issued }, auth),
    ]);
    for (const res of later) expectUnavailable(res);

    await proxy.restore();

    const deadline = Date.now() + 20_000;
    let res = await password();
    while (res.status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      res = await password();
    }
    expect(res.status).toBe(200);
    // No stuck connection is left in the pool to fail a later request.
    const after = await allTimed([ready, ...Array.from({ length: 12 }, () => password)]);
    for (const r of after) expect(r.status).toBe(200);
    const introspected = await postForm(server, '/oauth2/introspection', { token: issued }, auth);
    expect(introspected.status).toBe(200);
    expect(introspected.body.active).toBe(true);
  }, 90_000);
});
