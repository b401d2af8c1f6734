import { createHash } from 'node:crypto';

import request from 'supertest';

import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import { adminCreateClient, adminCreateUser, basic, postForm } from '../../setup/oauth';
import { startTestServer, TestServer } from '../../setup/test-server';
import {
  AUTHORIZATION_PATH,
  authorizationPath,
  Browser,
  parseForm,
  redirectParams,
} from './browser';

const REDIRECT = 'https://app.example.com/cb';
const WITH_QUERY = 'https://app.example.com/cb2?tenant=a';
const PASSWORD = 'correct horse battery';

describe('authorization endpoint: response_mode=form_post (OAuth 2.0 Form Post Response Mode)', () => {
  let db: TestDatabase;
  let server: TestServer;
  let client: { client_id: string; client_secret?: string };

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
    client = await adminCreateClient(server, { redirect_uris: [REDIRECT, WITH_QUERY] });
    await adminCreateUser(server, { username: 'alice', password: PASSWORD });
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
    response_mode: 'form_post',
    ...extra,
  });

  /** A browser with a session, signed in through a query-mode request. */
  async function signedInBrowser(): Promise<Browser> {
    const browser = new Browser(server);
    await browser.signIn(params({ response_mode: 'query' }), 'alice', PASSWORD);
    return browser;
  }

  /**
   * A form_post page: 200, HTML, never cached, no referrer, and a CSP whose only script source
   * is the hash of the page's one inline script. Returns the form it posts.
   */
  function expectFormPostPage(res: request.Response, action: string): Record<string, string> {
    expect(res.status).toBe(200);
    expect(res.headers.location).toBeUndefined();
    expect(res.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    });
    const scripts = [...res.text.matchAll(/<script>([^<]*)<\/script>/g)].map((m) => m[1]);
    expect(scripts).toHaveLength(1);
    const hash = createHash('sha256').update(scripts[0]).digest('base64');
    expect(res.headers['content-security-policy']).toBe(
      `default-src 'none'; script-src 'sha256-${hash}'; base-uri 'none'; frame-ancestors 'none'`,
    );
    expect(res.text).toMatch(/<noscript><button type="submit">[^<]+<\/button><\/noscript>/);
    expect(res.text.match(/<form\b/g)).toHaveLength(1);
    const form = parseForm(res.text);
    expect([form.action, form.method]).toEqual([action, 'post']);
    return form.hidden;
  }

  function redeem(code: string) {
    return postForm(
      server,
      '/oauth2/token',
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT },
      basic(client.client_id, client.client_secret!),
    );
  }

  it('answers a browser with a session with a page that posts the code and the state to the redirect URI', async () => {
    const browser = await signedInBrowser();

    const res = await browser.get(authorizationPath(params()));

    const posted = expectFormPostPage(res, REDIRECT);
    expect(posted).toEqual({ code: expect.any(String), state: 'st' });
    const token = await redeem(posted.code);
    expect(token.status).toBe(200);
    expect(token.body.id_token).toEqual(expect.any(String));
  });

  it('posts to a registered URI with its own query as it is, and escapes every value', async () => {
    const browser = await signedInBrowser();
    const state = `"><script>alert(1)</script>&amp;'`;

    const res = await browser.get(authorizationPath(params({ redirect_uri: WITH_QUERY, state })));

    expect(expectFormPostPage(res, WITH_QUERY)).toEqual({ code: expect.any(String), state });
    expect(res.text).not.toContain('<script>alert');
  });

  it('answers an authorization request sent as a form POST the same way', async () => {
    const browser = await signedInBrowser();

    const res = await browser.post(AUTHORIZATION_PATH, params());

    expect(expectFormPostPage(res, REDIRECT)).toEqual({ code: expect.any(String), state: 'st' });
  });

  it('delivers the code by form_post after the login form round trip, with the new session cookie', async () => {
    const browser = new Browser(server);
    const form = await browser.openLoginPage(params());

    const res = await browser.submitLogin(form, 'alice', PASSWORD);

    const posted = expectFormPostPage(res, REDIRECT);
    expect(posted).toEqual({ code: expect.any(String), state: 'st' });
    expect(browser.cookies.get('uas_session')).toEqual(expect.any(String));
    expect((await redeem(posted.code)).status).toBe(200);
    // The session works for the next request, without the form.
    const again = await browser.get(authorizationPath(params({ state: 'next' })));
    expect(expectFormPostPage(again, REDIRECT)).toEqual({
      code: expect.any(String),
      state: 'next',
    });
  });

  it('delivers an error after the redirect URI is known by form_post, with the state', async () => {
    // A malformed claims parameter (OpenID Connect Core §5.5) is refused after the redirect URI.
    const res = await request(server.http).get(authorizationPath(params({ claims: 'not json' })));

    expect(expectFormPostPage(res, REDIRECT)).toEqual({
      error: 'invalid_request',
      error_description: expect.any(String),
      state: 'st',
    });
  });

  it('delivers login_required for prompt=none without a session by form_post (OIDC Core §3.1.2.6)', async () => {
    const res = await request(server.http).get(authorizationPath(params({ prompt: 'none' })));

    expect(expectFormPostPage(res, REDIRECT)).toEqual({
      error: 'login_required',
      error_description: expect.any(String),
      state: 'st',
    });
  });

  it('still shows an unregistered redirect URI to the user, never posting to it', async () => {
    const res = await request(server.http).get(
      authorizationPath(params({ redirect_uri: 'https://evil.example.com/cb' })),
    );

    expect(res.status).toBe(400);
    expect(res.text).not.toContain('evil.example.com');
    expect(res.headers['content-security-policy']).not.toContain('script-src');
  });

  it.each(['fragment', 'form_post.jwt', 'FORM_POST'])(
    'refuses response_mode=%s with invalid_request, redirected in the query (Multiple Response Type Encoding Practices §5)',
    async (mode) => {
      const res = await request(server.http).get(
        authorizationPath(params({ response_mode: mode })),
      );

      expect(res.status).toBe(302);
      expect(res.headers.location.startsWith(`${REDIRECT}?`)).toBe(true);
      expect(redirectParams(res.headers.location)).toEqual({
        error: 'invalid_request',
        error_description: expect.any(String),
        state: 'st',
      });
    },
  );

  it('keeps response_mode=query as the redirect it always was', async () => {
    const browser = await signedInBrowser();

    const res = await browser.get(authorizationPath(params({ response_mode: 'query' })));

    expect(res.status).toBe(302);
    expect(redirectParams(res.headers.location)).toEqual({ code: expect.any(String), state: 'st' });
  });
});
