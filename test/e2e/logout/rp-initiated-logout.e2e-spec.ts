import request from 'supertest';

import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import {
  admin,
  adminCreateClient,
  adminCreateUser,
  basic,
  decodeJwt,
  postForm,
} from '../../setup/oauth';
import { startTestServer, TestServer } from '../../setup/test-server';
import { authorizationPath, Browser, parseForm, redirectParams } from '../authorization/browser';

const REDIRECT = 'https://app.example.com/cb';
const AFTER_LOGOUT = 'https://app.example.com/signed-out?tenant=a';
const LOGOUT = '/uas/oauth2/logout';
const PASSWORD = 'correct horse battery';

interface Tokens {
  access_token: string;
  id_token: string;
  refresh_token: string;
  scope: string;
}

/** OpenID Connect RP-Initiated Logout 1.0 at /uas/oauth2/logout, and what ending a session ends. */
describe('RP-initiated logout', () => {
  let db: TestDatabase;
  let server: TestServer;
  let client: { client_id: string; client_secret?: string };
  let other: { client_id: string; client_secret?: string };

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
    const metadata = {
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      post_logout_redirect_uris: [AFTER_LOGOUT],
      client_name: 'Payroll',
    };
    client = await adminCreateClient(server, metadata);
    other = await adminCreateClient(server, metadata);
    await adminCreateUser(server, { username: 'alice', password: PASSWORD });
    await adminCreateUser(server, { username: 'bob', password: PASSWORD });
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  const params = (extra: Record<string, string> = {}, id = client.client_id) => ({
    response_type: 'code',
    client_id: id,
    redirect_uri: REDIRECT,
    scope: 'openid',
    state: 'st',
    ...extra,
  });

  async function redeem(code: string, c = client): Promise<Tokens> {
    const res = await postForm(
      server,
      '/oauth2/token',
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT },
      basic(c.client_id, c.client_secret!),
    );
    expect(res.status).toBe(200);
    return res.body as Tokens;
  }

  /** A browser signed in as `username`, and the tokens `c` got in its session. */
  async function signedIn(
    extra: Record<string, string> = {},
    username = 'alice',
  ): Promise<{ browser: Browser; tokens: Tokens }> {
    const browser = new Browser(server);
    const { code } = await browser.signIn(params(extra), username, PASSWORD);
    return { browser, tokens: await redeem(code) };
  }

  /** What `prompt=none` answers this browser now (OpenID Connect Core §3.1.2.6). */
  async function silentAuthorization(browser: Browser): Promise<Record<string, string>> {
    const res = await browser.get(authorizationPath(params({ prompt: 'none' })));
    expect(res.status).toBe(302);
    return redirectParams(res.headers.location);
  }

  function refresh(refreshToken: string) {
    return postForm(
      server,
      '/oauth2/token',
      { grant_type: 'refresh_token', refresh_token: refreshToken },
      basic(client.client_id, client.client_secret!),
    );
  }

  async function introspect(token: string): Promise<boolean> {
    const res = await postForm(
      server,
      '/oauth2/introspection',
      { token },
      basic(client.client_id, client.client_secret!),
    );
    return (res.body as { active: boolean }).active;
  }

  function logoutPath(query: Record<string, string>): string {
    return `${LOGOUT}?${new URLSearchParams(query).toString()}`;
  }

  it('is advertised in the metadata document with back-channel logout', async () => {
    const res = await request(server.http).get('/uas/.well-known/openid-configuration');
    expect(res.body).toMatchObject({
      end_session_endpoint: `${server.issuer}/oauth2/logout`,
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
    });
    expect(res.body.frontchannel_logout_supported).toBeUndefined();
    expect(res.body.claims_supported).toContain('sid');
  });

  it('puts the session id in ID tokens, the same after a refresh', async () => {
    const { tokens } = await signedIn({ scope: 'openid offline_access' });
    const sid = decodeJwt(tokens.id_token).payload.sid;
    expect(sid).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));

    const refreshed = await refresh(tokens.refresh_token);
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(refreshed.body.id_token).payload.sid).toBe(sid);
  });

  it('with a valid id_token_hint ends the session at once and returns to the registered URI with state', async () => {
    const { browser, tokens } = await signedIn();
    expect((await silentAuthorization(browser)).code).toBeDefined();

    const res = await browser.get(
      logoutPath({
        id_token_hint: tokens.id_token,
        post_logout_redirect_uri: AFTER_LOGOUT,
        state: 'logout-state',
      }),
    );

    expect(res.status).toBe(303);
    const location = new URL(res.headers.location);
    expect(`${location.origin}${location.pathname}`).toBe('https://app.example.com/signed-out');
    expect(Object.fromEntries(location.searchParams)).toEqual({
      tenant: 'a',
      state: 'logout-state',
    });
    expect(String(res.headers['set-cookie'])).toMatch(/uas_session=;.*Max-Age=0/);
    // RP-Initiated Logout 1.0 §2 and CONTRACT: after logout, prompt=none must sign in again.
    expect(await silentAuthorization(browser)).toEqual({
      error: 'login_required',
      error_description: expect.any(String),
      state: 'st',
    });
    // A refresh token granted without offline_access ended with the session, and so did the
    // access token of its grant.
    expect((await refresh(tokens.refresh_token)).body.error).toBe('invalid_grant');
    expect(await introspect(tokens.access_token)).toBe(false);
  });

  it('ends the session even when the browser kept the old cookie (a replayed cookie gets nothing)', async () => {
    const { browser, tokens } = await signedIn();
    const cookie = browser.cookies.get('uas_session')!;
    await browser.get(logoutPath({ id_token_hint: tokens.id_token }));

    const replay = new Browser(server);
    replay.cookies.set('uas_session', cookie);
    expect((await silentAuthorization(replay)).error).toBe('login_required');
  });

  it('leaves a code issued in the session before it ended unredeemable', async () => {
    const { browser, tokens } = await signedIn({ scope: 'openid offline_access' });
    const pending = (await silentAuthorization(browser)).code;
    expect(pending).toBeDefined();

    await browser.get(logoutPath({ id_token_hint: tokens.id_token }));
    const res = await postForm(
      server,
      '/oauth2/token',
      { grant_type: 'authorization_code', code: pending, redirect_uri: REDIRECT },
      basic(client.client_id, client.client_secret!),
    );

    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_grant');
  });

  it('keeps a grant with offline_access alive after logout', async () => {
    const { browser, tokens } = await signedIn({ scope: 'openid offline_access' });

    await browser.get(logoutPath({ id_token_hint: tokens.id_token }));

    expect((await silentAuthorization(browser)).error).toBe('login_required');
    const refreshed = await refresh(tokens.refresh_token);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.scope).toBe('openid offline_access');
  });

  it('shows the signed-out page in the language asked for when there is nowhere to return to', async () => {
    const { browser, tokens } = await signedIn();

    const res = await browser.get(logoutPath({ id_token_hint: tokens.id_token, ui_locales: 'fi' }));

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.text).toContain('<html lang="fi">');
    expect(res.text).toContain('Olet kirjautunut ulos');
    expect((await silentAuthorization(browser)).error).toBe('login_required');
  });

  describe('without a valid hint, the user confirms first', () => {
    it('shows a confirmation form (in Swedish when asked) and ends nothing until it is posted', async () => {
      const { browser } = await signedIn();

      const page = await browser.get(
        logoutPath({
          client_id: client.client_id,
          post_logout_redirect_uri: AFTER_LOGOUT,
          state: 's1',
          ui_locales: 'sv',
        }),
      );

      expect(page.status).toBe(200);
      expect(page.text).toContain('<html lang="sv">');
      expect(page.text).toContain('Payroll ber dig logga ut');
      const form = parseForm(page.text);
      expect([form.action, form.method]).toEqual([LOGOUT, 'post']);
      expect(form.hidden).toMatchObject({
        client_id: client.client_id,
        post_logout_redirect_uri: AFTER_LOGOUT,
        state: 's1',
        logout_confirm: expect.any(String),
      });
      expect((await silentAuthorization(browser)).code).toBeDefined();

      const confirmed = await browser.post(form.action, form.hidden);

      expect(confirmed.status).toBe(303);
      expect(redirectParams(confirmed.headers.location)).toEqual({ tenant: 'a', state: 's1' });
      expect((await silentAuthorization(browser)).error).toBe('login_required');
    });

    it('refuses a cross-site post without the proof the form carries (CSRF): the page again, the session alive', async () => {
      const { browser } = await signedIn();

      for (const logout_confirm of [undefined, 'forged', 'A'.repeat(43)]) {
        const res = await browser.post(LOGOUT, {
          client_id: client.client_id,
          ...(logout_confirm ? { logout_confirm } : {}),
        });
        expect(res.status).toBe(200);
        expect(parseForm(res.text).hidden.logout_confirm).toEqual(expect.any(String));
      }
      expect((await silentAuthorization(browser)).code).toBeDefined();
    });

    it("does not take another session's proof", async () => {
      const first = await signedIn();
      const second = await signedIn();
      const page = await first.browser.get(LOGOUT);
      const proof = parseForm(page.text).hidden.logout_confirm;

      const res = await second.browser.post(LOGOUT, { logout_confirm: proof });

      expect(res.status).toBe(200);
      expect((await silentAuthorization(second.browser)).code).toBeDefined();
    });

    it("asks when the hint is about another session than the browser's", async () => {
      const { tokens } = await signedIn();
      const { browser } = await signedIn({}, 'bob');

      const res = await browser.get(logoutPath({ id_token_hint: tokens.id_token }));

      expect(res.status).toBe(200);
      expect(parseForm(res.text).hidden.logout_confirm).toBeDefined();
      expect((await silentAuthorization(browser)).code).toBeDefined();
    });
  });

  it('without a session just returns to the registered URI', async () => {
    const res = await new Browser(server).get(
      logoutPath({
        client_id: client.client_id,
        post_logout_redirect_uri: AFTER_LOGOUT,
        state: 'x',
      }),
    );
    expect(res.status).toBe(303);
    expect(redirectParams(res.headers.location)).toEqual({ tenant: 'a', state: 'x' });
  });

  describe('refuses, on an error page and never by redirect', () => {
    it.each([
      [
        'an unregistered post_logout_redirect_uri',
        { post_logout_redirect_uri: 'https://evil.example/' },
      ],
      [
        'a registered URI with a different query',
        { post_logout_redirect_uri: 'https://app.example.com/signed-out' },
      ],
    ])('%s', async (_, query) => {
      const { browser, tokens } = await signedIn();

      const res = await browser.get(logoutPath({ id_token_hint: tokens.id_token, ...query }));

      expect(res.status).toBe(400);
      expect(res.headers.location).toBeUndefined();
      expect(res.text).toContain('<code>invalid_request</code>');
      expect((await silentAuthorization(browser)).code).toBeDefined();
    });

    it('a post_logout_redirect_uri with no client named', async () => {
      const res = await request(server.http).get(
        logoutPath({ post_logout_redirect_uri: AFTER_LOGOUT }),
      );
      expect(res.status).toBe(400);
      expect(res.headers.location).toBeUndefined();
    });

    it("a client_id that is not the hint's audience", async () => {
      const { tokens } = await signedIn();
      const res = await request(server.http).get(
        logoutPath({ id_token_hint: tokens.id_token, client_id: other.client_id }),
      );
      expect(res.status).toBe(400);
    });

    it('an unknown client_id', async () => {
      const res = await request(server.http).get(
        logoutPath({ client_id: '00000000-0000-4000-8000-000000000000' }),
      );
      expect(res.status).toBe(400);
      expect(res.text).toContain('<code>invalid_client</code>');
    });

    it.each([
      ['an access token', (t: Tokens) => t.access_token],
      ['a tampered ID token', (t: Tokens) => `${t.id_token.slice(0, -4)}AAAA`],
      ['an unsigned ID token', (t: Tokens) => unsigned(t.id_token)],
      ['not a JWT', () => 'not-a-token'],
    ])('an id_token_hint that is %s', async (_, hint) => {
      const { browser, tokens } = await signedIn();

      const res = await browser.get(
        logoutPath({ id_token_hint: hint(tokens), post_logout_redirect_uri: AFTER_LOGOUT }),
      );

      expect(res.status).toBe(400);
      expect(res.headers.location).toBeUndefined();
      expect((await silentAuthorization(browser)).code).toBeDefined();
    });

    it('an id_token_hint that is a signed UserInfo response (same key, same typ, no iat or exp)', async () => {
      const signer = await adminCreateClient(server, {
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code'],
        post_logout_redirect_uris: [AFTER_LOGOUT],
        userinfo_signed_response_alg: 'RS256',
      });
      const browser = new Browser(server);
      const { code } = await browser.signIn(params({}, signer.client_id), 'alice', PASSWORD);
      const tokens = await redeem(code, signer);
      const userinfo = await request(server.http)
        .get('/uas/oauth2/userinfo')
        .set('Authorization', `Bearer ${tokens.access_token}`);
      expect(userinfo.headers['content-type']).toMatch(/^application\/jwt/);
      const signed = userinfo.text;
      expect(decodeJwt(signed).payload.sub).toBe(decodeJwt(tokens.id_token).payload.sub);

      const res = await browser.get(
        logoutPath({ id_token_hint: signed, post_logout_redirect_uri: AFTER_LOGOUT }),
      );

      expect(res.status).toBe(400);
      expect(res.headers.location).toBeUndefined();
      // The real ID token of the same session is still taken.
      const ok = await browser.get(
        logoutPath({ id_token_hint: tokens.id_token, post_logout_redirect_uri: AFTER_LOGOUT }),
      );
      expect(ok.status).toBe(303);
    });

    it('a repeated parameter', async () => {
      const res = await request(server.http).get(`${LOGOUT}?state=a&state=b`);
      expect(res.status).toBe(400);
    });
  });

  it('accepts an expired ID token as the hint (RP-Initiated Logout 1.0 §2)', async () => {
    const { browser, tokens } = await signedIn();
    server.clock.advance(server.config.tokens.idTokenTtlSeconds + 60);
    try {
      const res = await browser.get(
        logoutPath({ id_token_hint: tokens.id_token, post_logout_redirect_uri: AFTER_LOGOUT }),
      );
      expect(res.status).toBe(303);
    } finally {
      server.clock.advance(-(server.config.tokens.idTokenTtlSeconds + 60));
    }
  });

  it('accepts the parameters in a POST', async () => {
    const { browser, tokens } = await signedIn();
    const res = await browser.post(LOGOUT, {
      id_token_hint: tokens.id_token,
      post_logout_redirect_uri: AFTER_LOGOUT,
    });
    expect(res.status).toBe(303);
    expect((await silentAuthorization(browser)).error).toBe('login_required');
  });

  it("ends the hint's session when the POST came without the cookie (cross-site, SameSite=Lax)", async () => {
    const { browser, tokens } = await signedIn();
    // The RP's auto-submitted form: a cross-site POST, on which the browser sends no Lax cookie.
    const res = await new Browser(server).post(LOGOUT, {
      id_token_hint: tokens.id_token,
      post_logout_redirect_uri: AFTER_LOGOUT,
      state: 'cross-site',
    });

    expect(res.status).toBe(303);
    expect(redirectParams(res.headers.location)).toEqual({ tenant: 'a', state: 'cross-site' });
    expect(await silentAuthorization(browser)).toEqual(
      expect.objectContaining({ error: 'login_required' }),
    );
    expect((await refresh(tokens.refresh_token)).body.error).toBe('invalid_grant');
  });

  it('ends nothing on a cookie-less request whose hint was tampered with', async () => {
    const { browser, tokens } = await signedIn();
    const [header, payload] = tokens.id_token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    expect(claims.sid).toEqual(expect.any(String));
    // Its sid removed, the hint no longer verifies: an error page, and the session lives on.
    const { sid: _sid, ...withoutSid } = claims;
    const forged = `${header}.${Buffer.from(JSON.stringify(withoutSid)).toString('base64url')}.${tokens.id_token.split('.')[2]}`;
    const res = await new Browser(server).post(LOGOUT, { id_token_hint: forged });
    expect(res.status).toBe(400);
    expect((await silentAuthorization(browser)).code).toBeDefined();
  });

  it('keeps the sid when the same user signs in again, and ends the session when another user does', async () => {
    const { browser, tokens } = await signedIn();
    const sid = decodeJwt(tokens.id_token).payload.sid;

    const again = await browser.signIn(params({ prompt: 'login' }), 'alice', PASSWORD);
    const renewed = await redeem(again.code);
    expect(decodeJwt(renewed.id_token).payload.sid).toBe(sid);
    expect((await refresh(tokens.refresh_token)).status).toBe(200);

    const bob = await browser.signIn(params({ prompt: 'login' }), 'bob', PASSWORD);
    const bobs = await redeem(bob.code);
    expect(decodeJwt(bobs.id_token).payload.sid).not.toBe(sid);
    // Alice's session ended: what she was granted without offline_access with it.
    expect((await refresh(renewed.refresh_token)).body.error).toBe('invalid_grant');
  });

  it('rejects invalid logout metadata on registration with the offending fields', async () => {
    const res = await admin(server).post('/admin/v1/clients', {
      redirect_uris: [REDIRECT],
      post_logout_redirect_uris: ['http://app.example.com/out', 'https://app.example.com/#frag'],
      backchannel_logout_uri: 'http://169.254.169.254/logout',
    });
    expect(res.status).toBe(400);
    const fields = (res.body.fields as Array<{ field: string }>).map((f) => f.field).sort();
    expect(fields).toEqual([
      'backchannel_logout_uri',
      'post_logout_redirect_uris[0]',
      'post_logout_redirect_uris[1]',
    ]);
  });
});

/** The same claims with `alg: none` and no signature (RFC 8725 §3.1 says never accept it). */
function unsigned(token: string): string {
  const [, payload] = token.split('.');
  const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  return `${header}.${payload}.`;
}
