import { randomBytes } from 'node:crypto';

import { Client } from 'pg';

import { Browser } from '../authorization/browser';
import { postFormFrom, RawResponse } from '../../setup/from-address';
import { admin, adminCreateClient, adminCreateUser, basic } from '../../setup/oauth';
import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import { newMasterKey, startTestServer, TestServer } from '../../setup/test-server';
import { startDeployment, stopDeployment } from '../../setup/deployment';

const REDIRECT = 'https://app.example.com/cb';
const PASSWORD = 'correct horse battery';
const MAX_FAILURES = 3;

/**
 * The password checks' limits (CONTRACT §2, LOGIN_MAX_FAILURES): counted per user and client
 * address on every instance, never a lock-out a stranger can impose, one normalisation of
 * usernames, and a flood that costs the flooder its own turn instead of everyone's.
 */
describe('password check limits', () => {
  let db: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  let client: { client_id: string; client_secret?: string };
  let auth: string;

  beforeAll(async () => {
    ({ db, a, b } = await startDeployment({
      LOGIN_MAX_FAILURES: String(MAX_FAILURES),
      LOGIN_WINDOW_SECONDS: '600',
    }));
    client = await adminCreateClient(a, {
      client_name: 'limits',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'password'],
    });
    auth = basic(client.client_id, client.client_secret!);
  });

  afterAll(() => stopDeployment({ db, a, b }));

  const newUser = async () =>
    adminCreateUser(a, { username: `u-${randomBytes(5).toString('hex')}`, password: PASSWORD });

  /** The password grant at `server`, sent from the loopback address `from`. */
  const passwordGrant = (
    server: TestServer,
    from: string,
    username: string,
    password: string,
    headers: Record<string, string> = {},
  ) =>
    postFormFrom(
      from,
      server.origin,
      '/uas/oauth2/token',
      { grant_type: 'password', username, password, scope: 'openid' },
      {
        Authorization: auth,
        ...headers,
      },
    );

  const failures = (server: TestServer, from: string, username: string, times: number) =>
    (async () => {
      for (let i = 0; i < times; i += 1) {
        expect((await passwordGrant(server, from, username, 'wrong password')).status).toBe(400);
      }
    })();

  const json = (res: RawResponse) => JSON.parse(res.text) as Record<string, unknown>;

  it('throttles the address that failed, on every instance, while the user signs in from elsewhere', async () => {
    const user = await newUser();
    await failures(a, '127.0.0.2', user.username, MAX_FAILURES);

    const throttled = await passwordGrant(b, '127.0.0.2', user.username, PASSWORD);
    const elsewhere = await passwordGrant(b, '127.0.0.3', user.username, PASSWORD);

    expect(throttled.status).toBe(400);
    expect(json(throttled)).toEqual({
      error: 'invalid_grant',
      error_description: expect.any(String),
    });
    expect(elsewhere.status).toBe(200);
    expect(json(elsewhere)).toMatchObject({ access_token: expect.any(String) });
  });

  it("forgets an address's failures after a success from it, on every instance", async () => {
    const user = await newUser();
    await failures(a, '127.0.0.6', user.username, MAX_FAILURES - 1);
    expect((await passwordGrant(b, '127.0.0.6', user.username, PASSWORD)).status).toBe(200);

    // Counted afresh: as many failures again leave the address below the limit.
    await failures(b, '127.0.0.6', user.username, MAX_FAILURES - 1);

    expect((await passwordGrant(a, '127.0.0.6', user.username, PASSWORD)).status).toBe(200);
    // And the limit still holds from that fresh count.
    await failures(a, '127.0.0.6', user.username, MAX_FAILURES);
    expect((await passwordGrant(b, '127.0.0.6', user.username, PASSWORD)).status).toBe(400);
  });

  it('lets the throttled address in again once the window has passed', async () => {
    const user = await newUser();
    await failures(a, '127.0.0.4', user.username, MAX_FAILURES);

    a.clock.advance(600);

    expect((await passwordGrant(b, '127.0.0.4', user.username, PASSWORD)).status).toBe(200);
  });

  it('keeps no per-client count: failures of many usernames through one client lock none of its users out', async () => {
    const user = await newUser();
    for (let i = 0; i < MAX_FAILURES * 10 + 1; i += 1) {
      expect((await passwordGrant(a, '127.0.0.5', `sprayed-${i}`, 'guess')).status).toBe(400);
    }

    expect((await passwordGrant(b, '127.0.0.5', user.username, PASSWORD)).status).toBe(200);
  });

  it('slows but never refuses a username failed from many addresses', async () => {
    const user = await newUser();
    // Past ten times the limit over all addresses, every address having failed up to its own limit.
    for (let host = 10; host < 20; host += 1)
      await failures(host % 2 ? a : b, `127.0.1.${host}`, user.username, MAX_FAILURES);

    const res = await passwordGrant(a, '127.0.1.99', user.username, PASSWORD);

    expect(res.status).toBe(200);
  });

  describe('usernames, normalised one way everywhere', () => {
    it('does not sign `alİce` in as alice, although PostgreSQL lower() makes them equal', async () => {
      const alice = await adminCreateUser(a, { username: 'alice', password: PASSWORD });

      const res = await passwordGrant(a, '127.0.0.6', 'alİce', PASSWORD);
      const asAlice = await passwordGrant(a, '127.0.0.6', 'ALICE', PASSWORD);

      expect(res.status).toBe(400);
      expect(json(res)).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
      expect(asAlice.status).toBe(200);
      expect(
        JSON.parse(
          Buffer.from(String(json(asAlice).access_token).split('.')[1], 'base64url').toString(),
        ).sub,
      ).toBe(alice.id);
    });

    it('counts every spelling of one username as one user, and signs any of them in', async () => {
      await adminCreateUser(a, { username: 'Bjørn', password: PASSWORD });
      await failures(a, '127.0.0.7', 'BJØRN', 1);
      await failures(b, '127.0.0.7', 'bjørn', 1);
      await failures(a, '127.0.0.7', 'Ｂｊøｒｎ', MAX_FAILURES - 2);

      expect((await passwordGrant(b, '127.0.0.7', 'bjørn', PASSWORD)).status).toBe(400);
      expect((await passwordGrant(b, '127.0.0.8', 'ＢＪØＲＮ', PASSWORD)).status).toBe(200);
    });

    it('refuses a second user whose username is another spelling of an existing one', async () => {
      await adminCreateUser(a, { username: 'straße', password: PASSWORD });

      const res = await admin(a).post('/admin/v1/users', {
        username: 'STRASSE',
        password: PASSWORD,
      });

      expect(res.status).toBe(409);
    });
  });

  describe('a flood of password checks', () => {
    it('is shed past 32 checks in flight per address (429), and a sign-in from another address goes first', async () => {
      const user = await newUser();
      const browser = new Browser(a);
      const form = await browser.openLoginPage({
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: REDIRECT,
        scope: 'openid',
      });
      const cookie = [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
      const rowsBefore = await rateLimitRows();
      let answered = 0;
      let checkedBeforeSignIn = 0;
      let signedIn = false;

      // One login ticket posted again and again, each time with a new made-up username, from two
      // addresses: 64 checks in flight, so the flood outlasts the sign-in's own database round
      // trips, which on a slow host cost as much as a few dozen hashes.
      const flooders = ['127.0.0.9', '127.0.0.11'];
      const sent = 200 * flooders.length;
      const flood = flooders.flatMap((from) =>
        Array.from({ length: 200 }, () =>
          postFormFrom(
            from,
            a.origin,
            form.action,
            { ...form.hidden, username: randomBytes(8).toString('hex'), password: 'x' },
            { Cookie: cookie },
          ).then((res) => {
            answered += 1;
            if (res.status === 200 && !signedIn) checkedBeforeSignIn += 1;
            return res;
          }),
        ),
      );
      // Once the server has taken in the burst, what is left unanswered is checks in flight.
      while (answered < sent - 32 * flooders.length)
        await new Promise((resolve) => setTimeout(resolve, 5));
      checkedBeforeSignIn = 0;
      const pendingAtSignIn = sent - answered;
      const signIn = await passwordGrant(a, '127.0.0.10', user.username, PASSWORD);
      signedIn = true;
      const floodAnswers = await Promise.all(flood);

      expect(signIn.status).toBe(200);
      const shed = floodAnswers.filter((res) => res.status === 429);
      const checked = floodAnswers.filter((res) => res.status === 200);
      expect(shed.length + checked.length).toBe(sent);
      expect(shed.length).toBeGreaterThan(0);
      expect(shed[0].headers['retry-after']).toBe('1');
      // Checks are served in turn by address: the sign-in did not wait for every check pending
      // when it was sent, as a first-come queue would make it. Its hash waits for a couple; the
      // flood's queries ahead of its own in the connection pool let a few dozen more finish on a
      // slow host (and more on the one-connection embedded engine).
      expect(pendingAtSignIn).toBeGreaterThan(32);
      expect(checkedBeforeSignIn).toBeLessThan(pendingAtSignIn - 4);
      // Only checked attempts write counters (two each, in bounded shared buckets); shed ones none.
      expect((await rateLimitRows()) - rowsBefore).toBeLessThanOrEqual(2 * checked.length);
    });
  });

  async function rateLimitRows(): Promise<number> {
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      const { rows } = await pg.query<{ n: string }>('SELECT count(*) AS n FROM rate_limits');
      return Number(rows[0].n);
    } finally {
      await pg.end();
    }
  }
});

describe('password check limits behind a proxy (TRUST_PROXY)', () => {
  let db: TestDatabase;
  let trusting: TestServer;
  let direct: TestServer;
  let auth: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const masterKey = newMasterKey();
    const env = { LOGIN_MAX_FAILURES: String(MAX_FAILURES) };
    trusting = await startTestServer({
      databaseUrl: db.url,
      masterKey,
      env: { ...env, TRUST_PROXY: 'loopback' },
    });
    direct = await startTestServer({ databaseUrl: db.url, masterKey, env });
    const client = await adminCreateClient(trusting, {
      client_name: 'proxied',
      grant_types: ['password'],
    });
    auth = basic(client.client_id, client.client_secret!);
  });

  afterAll(async () => {
    await trusting?.close();
    await direct?.close();
    await db?.drop();
  });

  const grant = (server: TestServer, username: string, password: string, forwardedFor: string) =>
    postFormFrom(
      '127.0.0.1',
      server.origin,
      '/uas/oauth2/token',
      { grant_type: 'password', username, password },
      {
        Authorization: auth,
        'X-Forwarded-For': forwardedFor,
      },
    );

  it('counts the address a trusted proxy names', async () => {
    const user = await adminCreateUser(trusting, { username: 'proxied-1', password: PASSWORD });
    for (let i = 0; i < MAX_FAILURES; i += 1)
      await grant(trusting, user.username, 'wrong', '203.0.113.5');

    expect((await grant(trusting, user.username, PASSWORD, '203.0.113.5')).status).toBe(400);
    expect((await grant(trusting, user.username, PASSWORD, '203.0.113.6')).status).toBe(200);
  });

  it('ignores X-Forwarded-For from a client it does not trust', async () => {
    const user = await adminCreateUser(direct, { username: 'proxied-2', password: PASSWORD });
    for (let i = 0; i < MAX_FAILURES; i += 1)
      await grant(direct, user.username, 'wrong', '203.0.113.7');

    expect((await grant(direct, user.username, PASSWORD, '203.0.113.8')).status).toBe(400);
  });
});
