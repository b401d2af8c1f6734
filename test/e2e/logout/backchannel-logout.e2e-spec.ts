import { createServer, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

import { jwtVerify } from 'jose';
import request from 'supertest';

import { BackchannelReceiver } from '../../setup/backchannel-receiver';
import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import {
  admin,
  adminCreateClient,
  adminCreateUser,
  basic,
  decodeJwt,
  postForm,
  serverKeySet,
} from '../../setup/oauth';
import { newMasterKey, startTestServer, TestServer } from '../../setup/test-server';
import { authorizationPath, Browser, redirectParams } from '../authorization/browser';

const REDIRECT = 'https://app.example.com/cb';
const PASSWORD = 'correct horse battery';
const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

interface Tokens {
  access_token: string;
  id_token: string;
  refresh_token: string;
}

/**
 * OpenID Connect Back-Channel Logout 1.0: when a session ends, every client that took tokens in
 * it and registered a backchannel_logout_uri gets a logout token, from a queue in PostgreSQL.
 */
describe('back-channel logout', () => {
  const masterKey = newMasterKey();
  let db: TestDatabase;
  let server: TestServer;
  let receiver: BackchannelReceiver;
  let withLogout: { client_id: string; client_secret?: string };
  let secondRp: { client_id: string; client_secret?: string };
  let withoutLogout: { client_id: string; client_secret?: string };
  let user: { id: string };

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url, masterKey });
    receiver = new BackchannelReceiver();
    await receiver.start();
    const base = {
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
    };
    withLogout = await adminCreateClient(server, {
      ...base,
      backchannel_logout_uri: receiver.url,
      backchannel_logout_session_required: true,
    });
    secondRp = await adminCreateClient(server, { ...base, backchannel_logout_uri: receiver.url });
    withoutLogout = await adminCreateClient(server, base);
    user = await adminCreateUser(server, { username: 'alice', password: PASSWORD });
  });

  afterAll(async () => {
    await server?.close();
    await receiver?.stop();
    await db?.drop();
  });

  beforeEach(() => {
    receiver.received.length = 0;
  });

  async function tokensFor(
    browser: Browser,
    client: { client_id: string; client_secret?: string },
    scope = 'openid',
    username = 'alice',
  ): Promise<Tokens> {
    const params = {
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      scope,
    };
    const first = await browser.get(authorizationPath(params));
    let code: string;
    if (first.status === 302) {
      code = redirectParams(first.headers.location).code;
    } else {
      code = (await browser.signIn(params, username, PASSWORD)).code;
    }
    const res = await postForm(
      server,
      '/oauth2/token',
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT },
      basic(client.client_id, client.client_secret!),
    );
    expect(res.status).toBe(200);
    return res.body as Tokens;
  }

  /** Back-Channel Logout 1.0 §2.6, as a relying party validates a logout token. */
  async function validate(logoutToken: string, clientId: string) {
    const { payload, protectedHeader } = await jwtVerify(logoutToken, await serverKeySet(server), {
      issuer: server.issuer,
      audience: clientId,
      typ: 'logout+jwt',
      algorithms: ['RS256'],
      currentDate: server.clock.now(),
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload.events).toEqual({ [EVENT]: {} });
    expect(payload.nonce).toBeUndefined();
    expect(typeof payload.jti).toBe('string');
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(120);
    return payload;
  }

  it('posts a valid logout token to each client of the session that asked, and to no other', async () => {
    const browser = new Browser(server);
    const first = await tokensFor(browser, withLogout);
    await tokensFor(browser, secondRp);
    await tokensFor(browser, withoutLogout);
    const sid = decodeJwt(first.id_token).payload.sid as string;

    const res = await browser.get(
      `/uas/oauth2/logout?${new URLSearchParams({ id_token_hint: first.id_token }).toString()}`,
    );
    expect(res.status).toBe(200);

    const posts = await receiver.waitFor(2);
    const audiences = [];
    for (const post of posts) {
      expect(Object.keys(post)).toEqual(['logout_token']);
      const aud = decodeJwt(post.logout_token).payload.aud as string;
      const payload = await validate(post.logout_token, aud);
      expect(payload).toMatchObject({ sid, sub: user.id });
      audiences.push(aud);
    }
    expect(audiences.sort()).toEqual([withLogout.client_id, secondRp.client_id].sort());
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(receiver.received).toHaveLength(2);
  });

  it('delivers to other relying parties while one stalls on its post (each post holds only its own slot)', async () => {
    // A relying party that takes the post and never answers, until the test lets it.
    const held: ServerResponse[] = [];
    const stalling = createServer((req, res) => {
      req.resume();
      held.push(res);
    });
    await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
    const { port } = stalling.address() as AddressInfo;
    try {
      const stalled = await adminCreateClient(server, {
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code'],
        backchannel_logout_uri: `http://127.0.0.1:${port}/logout`,
      });
      const logout = async (client: { client_id: string; client_secret?: string }) => {
        const browser = new Browser(server);
        const tokens = await tokensFor(browser, client);
        const res = await browser.get(
          `/uas/oauth2/logout?${new URLSearchParams({ id_token_hint: tokens.id_token }).toString()}`,
        );
        expect(res.status).toBe(200);
      };

      await logout(stalled);
      for (let i = 0; i < 100 && held.length === 0; i += 1)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(held).toHaveLength(1);

      // A later logout, for another relying party, is posted while that one still hangs.
      await logout(withLogout);
      const [post] = await receiver.waitFor(1);
      expect(decodeJwt(post.logout_token).payload.aud).toBe(withLogout.client_id);
      expect(held[0].writableEnded).toBe(false);
      expect(held[0].socket?.destroyed).toBe(false);
    } finally {
      for (const res of held) if (!res.writableEnded) res.end();
      await new Promise((resolve) => stalling.close(resolve));
    }
  });

  it('retries with backoff until the relying party answers 200', async () => {
    const browser = new Browser(server);
    const tokens = await tokensFor(browser, withLogout);
    receiver.failNext(503, 500);

    await browser.get(
      `/uas/oauth2/logout?${new URLSearchParams({ id_token_hint: tokens.id_token }).toString()}`,
    );
    const retried = 'uas_backchannel_logout_deliveries_total{outcome="retried"}';
    const before = await metric(retried);
    await receiver.waitFor(1);
    // The retry waits for its backoff (2 s, then 4 s) on the server's clock, counted from the
    // moment the failure was recorded.
    await waitUntil(async () => (await metric(retried)) === before + 1);
    server.clock.advance(3);
    await receiver.waitFor(2);
    await waitUntil(async () => (await metric(retried)) === before + 2);
    server.clock.advance(5);
    const posts = await receiver.waitFor(3);

    for (const post of posts) await validate(post.logout_token, withLogout.client_id);
    // Each attempt carries a fresh token.
    expect(new Set(posts.map((p) => decodeJwt(p.logout_token).payload.jti)).size).toBe(3);
    const metrics = await request(server.http).get('/metrics');
    expect(metrics.text).toMatch(
      /uas_backchannel_logout_deliveries_total\{outcome="retried"\} [1-9]/,
    );
    expect(metrics.text).toMatch(
      /uas_backchannel_logout_deliveries_total\{outcome="delivered"\} [1-9]/,
    );
    // The gauge counts from the poll every instance runs each second.
    await waitUntil(async () => (await queued()) === 0);
  });

  it('loses no logout across a restart: the next instance delivers what the last one could not', async () => {
    const browser = new Browser(server);
    const tokens = await tokensFor(browser, withLogout);
    const port = Number(new URL(receiver.url).port);
    await receiver.stop();
    const retriedBefore = await metric(
      'uas_backchannel_logout_deliveries_total{outcome="retried"}',
    );

    await browser.get(
      `/uas/oauth2/logout?${new URLSearchParams({ id_token_hint: tokens.id_token }).toString()}`,
    );
    // The relying party is down: the first attempt fails and the job waits in the database.
    await waitUntil(
      async () =>
        (await queued()) === 1 &&
        (await metric('uas_backchannel_logout_deliveries_total{outcome="retried"}')) >
          retriedBefore,
    );
    await server.close();

    await receiver.start(port);
    server = await startTestServer({ databaseUrl: db.url, masterKey, clock: server.clock });
    server.clock.advance(3);
    const [post] = await receiver.waitFor(1);
    await validate(post.logout_token, withLogout.client_id);
    await waitUntil(async () => (await queued()) === 0);
  });

  it('an administrator ending every session of a user revokes every token and sends the logouts', async () => {
    const browser = new Browser(server);
    const online = await tokensFor(browser, withLogout);
    const offline = await tokensFor(browser, secondRp, 'openid offline_access');
    const sid = decodeJwt(online.id_token).payload.sid;

    const listed = await admin(server).get(`/admin/v1/users/${user.id}/sessions`);
    expect(listed.status).toBe(200);
    const session = (listed.body.items as Array<Record<string, unknown>>).find((s) => s.id === sid);
    expect(session).toEqual({
      id: sid,
      created_at: expect.any(String),
      auth_time: expect.any(String),
      expires_at: expect.any(String),
      clients: [withLogout.client_id, secondRp.client_id].sort(),
    });

    expect((await admin(server).delete(`/admin/v1/users/${user.id}/sessions`)).status).toBe(204);

    const posts = await receiver.waitFor(2);
    for (const post of posts)
      expect(
        (await validate(post.logout_token, decodeJwt(post.logout_token).payload.aud as string)).sid,
      ).toBe(sid);
    expect((await admin(server).get(`/admin/v1/users/${user.id}/sessions`)).body.items).toEqual([]);
    // Every token of the user, offline_access or not.
    const refreshed = await postForm(
      server,
      '/oauth2/token',
      { grant_type: 'refresh_token', refresh_token: offline.refresh_token },
      basic(secondRp.client_id, secondRp.client_secret!),
    );
    expect(refreshed.body.error).toBe('invalid_grant');
    const userinfo = await request(server.http)
      .get('/uas/oauth2/userinfo')
      .set('Authorization', `Bearer ${online.access_token}`);
    expect(userinfo.status).toBe(401);
    const silent = await browser.get(
      authorizationPath({
        response_type: 'code',
        client_id: withLogout.client_id,
        redirect_uri: REDIRECT,
        scope: 'openid',
        prompt: 'none',
      }),
    );
    expect(redirectParams(silent.headers.location).error).toBe('login_required');
  });

  it('answers 404 for the sessions of an unknown user', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await admin(server).get(`/admin/v1/users/${unknown}/sessions`)).status).toBe(404);
    expect((await admin(server).delete(`/admin/v1/users/${unknown}/sessions`)).status).toBe(404);
  });

  it('a password change ends the sessions with their logouts', async () => {
    const browser = new Browser(server);
    const tokens = await tokensFor(browser, withLogout);

    const res = await admin(server).patch(`/admin/v1/users/${user.id}`, {
      password: 'another long password',
    });
    expect(res.status).toBe(200);

    const [post] = await receiver.waitFor(1);
    expect((await validate(post.logout_token, withLogout.client_id)).sid).toBe(
      decodeJwt(tokens.id_token).payload.sid,
    );
    await admin(server).patch(`/admin/v1/users/${user.id}`, { password: PASSWORD });
  });

  it("deleting a user ends the user's sessions with their logouts", async () => {
    const bob = await adminCreateUser(server, { username: 'bob', password: PASSWORD });
    const tokens = await tokensFor(new Browser(server), withLogout, 'openid', 'bob');

    expect((await admin(server).delete(`/admin/v1/users/${bob.id}`)).status).toBe(204);

    const [post] = await receiver.waitFor(1);
    const payload = await validate(post.logout_token, withLogout.client_id);
    expect(payload.sid).toBe(decodeJwt(tokens.id_token).payload.sid);
    expect(payload.sub).toBe(bob.id);
    await waitUntil(async () => (await queued()) === 0);
  });

  /** A series of the server's /metrics. */
  async function metric(series: string): Promise<number> {
    const text = (await request(server.http).get('/metrics')).text;
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? NaN : Number(line.slice(series.length + 1));
  }

  const queued = () => metric('uas_backchannel_logout_queue');
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
