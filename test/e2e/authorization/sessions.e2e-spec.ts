import { createHash } from 'node:crypto';

import { jwtVerify } from 'jose';
import { Client } from 'pg';

import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import {
  admin,
  adminCreateClient,
  adminCreateUser,
  basic,
  postForm,
  serverKeySet,
} from '../../setup/oauth';
import { startTestServer, TestServer } from '../../setup/test-server';
import { authorizationPath, Browser, redirectParams } from './browser';

const REDIRECT = 'https://app.example.com/cb';
const PASSWORD = 'correct horse battery';

describe('login sessions', () => {
  let db: TestDatabase;
  let server: TestServer;
  let client: { client_id: string; client_secret?: string };
  let user: { id: string };

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
    client = await adminCreateClient(server, { redirect_uris: [REDIRECT] });
    user = await adminCreateUser(server, { username: 'alice', password: PASSWORD });
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  const params = (extra: Record<string, string> = {}) => ({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    scope: 'openid',
    state: 'st',
    ...extra,
  });

  async function signedInBrowser(): Promise<Browser> {
    const browser = new Browser(server);
    await browser.signIn(params(), 'alice', PASSWORD);
    return browser;
  }

  /** The answer to an authorization request: 'form' for the login page, else the redirect's parameters. */
  async function authorize(
    browser: Browser,
    extra: Record<string, string> = {},
  ): Promise<'form' | Record<string, string>> {
    const res = await browser.get(authorizationPath(params(extra)));
    if (res.status === 200 && res.text.includes('<form')) return 'form';
    expect(res.status).toBe(302);
    return redirectParams(res.headers.location);
  }

  /** The ID token the code redeems for, as the client receives it. */
  async function rawIdTokenOf(code: string): Promise<string> {
    const res = await postForm(
      server,
      '/oauth2/token',
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT },
      basic(client.client_id, client.client_secret!),
    );
    expect(res.status).toBe(200);
    return res.body.id_token as string;
  }

  async function idTokenOf(code: string) {
    const res = await postForm(
      server,
      '/oauth2/token',
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT },
      basic(client.client_id, client.client_secret!),
    );
    expect(res.status).toBe(200);
    const jwks = await serverKeySet(server);
    return (
      await jwtVerify(res.body.id_token, jwks, {
        issuer: server.issuer,
        audience: client.client_id,
        currentDate: server.clock.now(),
      })
    ).payload;
  }

  it('lets a second request from the same browser pass without the form, and no other browser', async () => {
    const browser = await signedInBrowser();

    expect(await authorize(browser, { state: 'again' })).toEqual({
      code: expect.any(String),
      state: 'again',
    });
    expect(await authorize(new Browser(server))).toBe('form');
  });

  it('stores only a hash of the session id', async () => {
    const browser = await signedInBrowser();
    const token = browser.cookies.get('uas_session')!;
    const pg = new Client({ connectionString: db.url });
    await pg.connect();

    const stored = await pg
      .query<{ id: Buffer }>('SELECT id_hash AS id FROM login_sessions')
      .finally(() => pg.end());

    const ids = stored.rows.map((row) => row.id.toString('hex'));
    expect(ids).toContain(createHash('sha256').update(token).digest('hex'));
    expect(ids).not.toContain(Buffer.from(token).toString('hex'));
  });

  it('brings auth_time of the sign-in, not of the later request, into the ID token', async () => {
    const signedInAt = server.clock.nowSeconds();
    const browser = await signedInBrowser();
    server.clock.advance(120);

    const answer = await authorize(browser, { nonce: 'n-1' });

    expect(answer).not.toBe('form');
    const claims = await idTokenOf((answer as Record<string, string>).code);
    expect(claims).toMatchObject({
      sub: user.id,
      auth_time: signedInAt,
      iat: signedInAt + 120,
      nonce: 'n-1',
      amr: ['pwd'],
    });
  });

  describe('prompt=login and max_age force the form', () => {
    it('prompt=login, and the new sign-in replaces the session (a new id, the old one ended)', async () => {
      const browser = await signedInBrowser();
      const oldSession = browser.cookies.get('uas_session')!;
      const form = await authorize(browser, { prompt: 'login' });
      expect(form).toBe('form');

      const redirect = await browser.signIn(
        params({ prompt: 'login', state: 'relogin' }),
        'alice',
        PASSWORD,
      );

      expect(redirect).toEqual({ code: expect.any(String), state: 'relogin' });
      expect(browser.cookies.get('uas_session')).not.toBe(oldSession);
      const stale = new Browser(server);
      stale.cookies.set('uas_session', oldSession);
      expect(await authorize(stale)).toBe('form');
    });

    it('max_age older than the sign-in', async () => {
      const browser = await signedInBrowser();
      server.clock.advance(100);

      expect(await authorize(browser, { max_age: '300' })).toEqual({
        code: expect.any(String),
        state: 'st',
      });
      expect(await authorize(browser, { max_age: '100' })).toEqual({
        code: expect.any(String),
        state: 'st',
      });
      expect(await authorize(browser, { max_age: '99' })).toBe('form');
    });

    it('max_age=0 (OIDC Core: the same as prompt=login)', async () => {
      const browser = await signedInBrowser();

      expect(await authorize(browser, { max_age: '0' })).toBe('form');
    });

    it('and a sign-in after max_age forced the form gives the new auth_time', async () => {
      const browser = await signedInBrowser();
      server.clock.advance(500);
      const now = server.clock.nowSeconds();

      const redirect = await browser.signIn(
        params({ max_age: '60', nonce: 'n-2' }),
        'alice',
        PASSWORD,
      );

      expect((await idTokenOf(redirect.code)).auth_time).toBe(now);
    });
  });

  describe('prompt=none', () => {
    it('without a session gives login_required, with the state', async () => {
      expect(await authorize(new Browser(server), { prompt: 'none' })).toEqual({
        error: 'login_required',
        error_description: expect.any(String),
        state: 'st',
      });
    });

    it('with a session gives a code', async () => {
      const browser = await signedInBrowser();

      expect(await authorize(browser, { prompt: 'none' })).toEqual({
        code: expect.any(String),
        state: 'st',
      });
    });

    it("with an id_token_hint of another user than the session's gives login_required (Core §3.1.2.1)", async () => {
      const carol = await adminCreateUser(server, { username: 'carol', password: PASSWORD });
      const other = new Browser(server);
      const { code } = await other.signIn(params(), 'carol', PASSWORD);
      const carolsIdToken = await rawIdTokenOf(code);
      const alices = await signedInBrowser();
      const alicesCode = await authorize(alices, { prompt: 'none' });
      const alicesIdToken = await rawIdTokenOf((alicesCode as Record<string, string>).code);

      // The hint names the session's own user: a code, as without a hint.
      expect(await authorize(alices, { prompt: 'none', id_token_hint: alicesIdToken })).toEqual({
        code: expect.any(String),
        state: 'st',
      });
      // It names another: no silent answer for the wrong user, and the form without prompt=none.
      expect(
        await authorize(alices, { prompt: 'none', id_token_hint: carolsIdToken }),
      ).toMatchObject({ error: 'login_required', state: 'st' });
      expect(await authorize(alices, { id_token_hint: carolsIdToken })).toBe('form');
      // A hint that is no ID token of ours is only a hint: ignored.
      expect(
        await authorize(alices, { prompt: 'none', id_token_hint: 'not.an.id-token' }),
      ).toMatchObject({ code: expect.any(String) });
      expect(carol.id).not.toBe(user.id);
    });

    it('with a session older than max_age gives login_required', async () => {
      const browser = await signedInBrowser();
      server.clock.advance(61);

      expect(await authorize(browser, { prompt: 'none', max_age: '60' })).toMatchObject({
        error: 'login_required',
      });
    });
  });

  it('ends after an hour', async () => {
    const browser = await signedInBrowser();
    server.clock.advance(3599);
    expect(await authorize(browser)).not.toBe('form');

    server.clock.advance(1);

    expect(await authorize(browser)).toBe('form');
  });

  it('ends when the user is deleted', async () => {
    const bob = await adminCreateUser(server, { username: 'bob', password: PASSWORD });
    const browser = new Browser(server);
    await browser.signIn(params(), 'bob', PASSWORD);

    expect((await admin(server).delete(`/admin/v1/users/${bob.id}`)).status).toBe(204);

    expect(await authorize(browser)).toBe('form');
  });

  it('ignores a session cookie it never issued', async () => {
    const browser = new Browser(server);
    browser.cookies.set('uas_session', 'A'.repeat(43));

    expect(await authorize(browser)).toBe('form');
  });
});
