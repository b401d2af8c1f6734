import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

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
const PASSWORD = 'correct horse battery';

describe('login page', () => {
  let db: TestDatabase;
  let server: TestServer;
  let client: { client_id: string; client_secret?: string };

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({
      databaseUrl: db.url,
      env: { LOGIN_MAX_FAILURES: '3', LOGIN_WINDOW_SECONDS: '600' },
    });
    client = await adminCreateClient(server, {
      client_name: 'Payroll <Web>',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'password'],
    });
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
    ...extra,
  });

  /** The text of the element with role="alert", or null. */
  const alertOf = (html: string) =>
    /<p [^>]*role="alert"[^>]*>([^<]*)<\/p>/.exec(html)?.[1] ?? null;

  describe('the page', () => {
    it('is one POST form with labelled username and password fields, a CSRF-bound ticket and a stylesheet', async () => {
      const res = await request(server.http).get(authorizationPath(params()));

      expect(res.status).toBe(200);
      expect(res.headers).toMatchObject({
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'x-frame-options': 'DENY',
        'x-content-type-options': 'nosniff',
        'content-security-policy': expect.stringContaining("frame-ancestors 'none'"),
      });
      expect(res.text.match(/<form\b/g)).toHaveLength(1);
      const form = parseForm(res.text);
      expect(form).toEqual({
        action: AUTHORIZATION_PATH,
        method: 'post',
        hidden: { login_ticket: expect.any(String) },
      });
      expect(res.text).toMatch(
        /<label for="uas-username">Username<\/label>\s*<input id="uas-username" name="username" type="text" autocomplete="username"/,
      );
      expect(res.text).toMatch(
        /<label for="uas-password">Password<\/label>\s*<input id="uas-password" name="password" type="password" autocomplete="current-password"/,
      );
      expect(res.text).toContain('<button type="submit">Sign in</button>');
      expect(res.text).toContain('<html lang="en">');
      expect(res.text).toContain('<link rel="stylesheet" href="/uas/oauth2/static/login.css">');
      expect(res.text).not.toContain('<script');
      expect(alertOf(res.text)).toBeNull();
    });

    it('sets the CSRF cookie HttpOnly, SameSite=Lax, on the issuer path, not Secure for an http issuer', async () => {
      const res = await request(server.http).get(authorizationPath(params()));

      expect(res.headers['set-cookie']).toEqual([
        expect.stringMatching(/^uas_csrf=[A-Za-z0-9_-]{43}; Path=\/uas; HttpOnly; SameSite=Lax$/),
      ]);
    });

    it('names the client and pre-fills login_hint, escaping both', async () => {
      const res = await request(server.http).get(
        authorizationPath(params({ login_hint: '"><script>alert(1)</script>' })),
      );

      expect(res.text).toContain('Sign in to continue to Payroll &lt;Web&gt;.');
      expect(res.text).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
      expect(res.text).not.toContain('<script>');
    });

    it.each([
      ['fi', 'fi', 'Kirjaudu sisään', 'Käyttäjätunnus', 'Salasana'],
      ['sv-SE', 'sv', 'Logga in', 'Användarnamn', 'Lösenord'],
      ['de fi-FI sv', 'fi', 'Kirjaudu sisään', 'Käyttäjätunnus', 'Salasana'],
      ['de', 'en', 'Sign in', 'Username', 'Password'],
    ])(
      'speaks the first supported language of ui_locales=%s',
      async (uiLocales, lang, title, username, password) => {
        const res = await request(server.http).get(
          authorizationPath(params({ ui_locales: uiLocales })),
        );

        expect(res.text).toContain(`<html lang="${lang}">`);
        expect(res.text).toContain(`<title>${title}</title>`);
        expect(res.text).toContain(`<label for="uas-username">${username}</label>`);
        expect(res.text).toContain(`<label for="uas-password">${password}</label>`);
      },
    );

    it('serves its stylesheet', async () => {
      const res = await request(server.http).get('/uas/oauth2/static/login.css');

      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/css; charset=utf-8');
      expect(res.text).toContain('.uas-card');
    });
  });

  describe('signing in', () => {
    it('redirects to the client with code and state (303) and sets the session cookie', async () => {
      const browser = new Browser(server);
      const form = await browser.openLoginPage(params());

      const res = await browser.submitLogin(form, 'alice', PASSWORD);

      expect(res.status).toBe(303);
      expect(res.headers.location.startsWith(`${REDIRECT}?`)).toBe(true);
      expect(redirectParams(res.headers.location)).toEqual({
        code: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        state: 'st',
      });
      expect(res.headers['set-cookie']).toEqual([
        expect.stringMatching(
          /^uas_session=[A-Za-z0-9_-]{43}; Path=\/uas; HttpOnly; SameSite=Lax$/,
        ),
      ]);
    });

    it('says the same for a wrong password and an unknown user, keeps the username, and starts no session', async () => {
      const browser = new Browser(server);
      const form = await browser.openLoginPage(params({ ui_locales: 'sv' }));

      const wrong = await browser.submitLogin(form, 'alice', 'not the password');
      const unknown = await browser.submitLogin(form, 'nobody', 'not the password');

      for (const res of [wrong, unknown]) {
        expect(res.status).toBe(200);
        expect(res.headers['set-cookie']).toEqual([expect.stringMatching(/^uas_csrf=/)]);
        expect(alertOf(res.text)).toBe('Användarnamnet eller lösenordet är felaktigt.');
        expect(res.text).toContain('aria-invalid="true" aria-describedby="uas-error"');
      }
      expect(wrong.text).toContain('value="alice"');
      expect(unknown.text.replace(/value="[^"]*"/g, '')).toBe(
        wrong.text.replace(/value="[^"]*"/g, ''),
      );
      expect(browser.cookies.has('uas_session')).toBe(false);
    });

    it('lets the user retry with the form of a failed attempt', async () => {
      const browser = new Browser(server);
      const failed = await browser.submitLogin(
        await browser.openLoginPage(params()),
        'alice',
        'typo',
      );

      const res = await browser.submitLogin(parseForm(failed.text), 'alice', PASSWORD);

      expect(res.status).toBe(303);
      expect(redirectParams(res.headers.location)).toEqual({
        code: expect.any(String),
        state: 'st',
      });
    });

    it('answers a missing password like a wrong one', async () => {
      const browser = new Browser(server);
      const form = await browser.openLoginPage(params());

      const res = await browser.post(form.action, { ...form.hidden, username: 'alice' });

      expect(res.status).toBe(200);
      expect(alertOf(res.text)).toBe('The username or password is incorrect.');
    });

    it('counts failures against the same limit as the password grant, then lets the window pass', async () => {
      await adminCreateUser(server, { username: 'bob', password: 'bobs long password' });
      const browser = new Browser(server);
      const grant = (password: string) =>
        postForm(
          server,
          '/oauth2/token',
          { grant_type: 'password', username: 'bob', password },
          basic(client.client_id, client.client_secret!),
        );
      const form = await browser.openLoginPage(params());
      await browser.submitLogin(form, 'bob', 'wrong-1');
      await browser.submitLogin(form, 'bob', 'wrong-2');
      expect((await grant('wrong-3')).body.error).toBe('invalid_grant');

      const page = await browser.submitLogin(form, 'bob', 'bobs long password');
      const token = await grant('bobs long password');

      expect(page.status).toBe(200);
      expect(alertOf(page.text)).toBe('The username or password is incorrect.');
      expect(token.body.error).toBe('invalid_grant');
      server.clock.advance(601);
      const fresh = await browser.openLoginPage(params());
      expect((await browser.submitLogin(fresh, 'bob', 'bobs long password')).status).toBe(303);
    });
  });

  it("lets no stranger lock a client's users out by failing logins for many usernames", async () => {
    const carol = await adminCreateUser(server, {
      username: 'carol',
      password: 'carols long password',
    });
    const attacker = new Browser(server);
    const form = await attacker.openLoginPage(params());
    // Ten times the per-username limit, each for another made-up username.
    for (let i = 0; i < 30; i += 1) await attacker.submitLogin(form, `nobody-${i}`, 'guess');

    const browser = new Browser(server);
    const res = await browser.submitLogin(
      await browser.openLoginPage(params()),
      carol.username,
      'carols long password',
    );

    expect(res.status).toBe(303);
  });

  describe('CSRF protection', () => {
    function expectRefused(res: request.Response): void {
      expect(res.status).toBe(400);
      expect(res.headers.location).toBeUndefined();
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.text).toContain('<code>invalid_request</code>');
    }

    it('refuses a form posted without the CSRF cookie (a cross-site post)', async () => {
      const form = await new Browser(server).openLoginPage(params());

      const res = await request(server.http)
        .post(form.action)
        .type('form')
        .send({ ...form.hidden, username: 'alice', password: PASSWORD });

      expectRefused(res);
    });

    it("refuses a form opened in another browser (login CSRF: the attacker's ticket, the victim's cookie)", async () => {
      const attacker = new Browser(server);
      const victim = new Browser(server);
      const attackersForm = await attacker.openLoginPage(params());
      await victim.openLoginPage(params());

      expectRefused(await victim.submitLogin(attackersForm, 'alice', PASSWORD));
    });

    it('refuses a forged or altered ticket', async () => {
      const browser = new Browser(server);
      const form = await browser.openLoginPage(params());
      const ticket = form.hidden.login_ticket;
      const altered = `${ticket.slice(0, 20)}${ticket[20] === 'A' ? 'B' : 'A'}${ticket.slice(21)}`;

      expectRefused(
        await browser.post(form.action, {
          login_ticket: altered,
          username: 'alice',
          password: PASSWORD,
        }),
      );
      expectRefused(
        await browser.post(form.action, {
          login_ticket: 'forged',
          username: 'alice',
          password: PASSWORD,
        }),
      );
    });

    it('refuses a form left open longer than 30 minutes', async () => {
      const browser = new Browser(server);
      const form = await browser.openLoginPage(params());
      server.clock.advance(30 * 60 + 1);

      expectRefused(await browser.submitLogin(form, 'alice', PASSWORD));
    });

    it('keeps one CSRF cookie per browser, so two open forms both work', async () => {
      const browser = new Browser(server);
      const first = await browser.openLoginPage(params({ state: 'one' }));
      const second = await browser.openLoginPage(params({ state: 'two' }));

      const res = await browser.submitLogin(first, 'alice', PASSWORD);

      expect(res.status).toBe(303);
      expect(redirectParams(res.headers.location).state).toBe('one');
      expect(second.hidden.login_ticket).not.toBe(first.hidden.login_ticket);
    });
  });
});

describe('login page under an https issuer', () => {
  let db: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    db = await createTestDatabase();
    const cssDir = mkdtempSync(path.join(tmpdir(), 'uas-css-'));
    writeFileSync(path.join(cssDir, 'brand.css'), 'body { background: rebeccapurple; }\n');
    server = await startTestServer({
      databaseUrl: db.url,
      env: {
        ISSUER: 'https://idp.example.com/sso/uas',
        LOGIN_CSS_FILE: path.join(cssDir, 'brand.css'),
      },
    });
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it('marks its cookies Secure and scopes them to the issuer path', async () => {
    const client = await adminCreateClient(server, { redirect_uris: [REDIRECT] });
    await adminCreateUser(server, { username: 'carol', password: PASSWORD });
    const browser = new Browser(server);
    const page = await browser.get(
      `/sso${authorizationPath({ response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT })}`,
    );
    expect(page.headers['set-cookie']).toEqual([
      expect.stringMatching(/^uas_csrf=[^;]+; Path=\/sso\/uas; HttpOnly; SameSite=Lax; Secure$/),
    ]);
    const form = parseForm(page.text);
    expect(form.action).toBe('/sso/uas/oauth2/authorization');

    const res = await browser.submitLogin(form, 'carol', PASSWORD);

    expect(res.status).toBe(303);
    expect(res.headers['set-cookie']).toEqual([
      expect.stringMatching(/^uas_session=[^;]+; Path=\/sso\/uas; HttpOnly; SameSite=Lax; Secure$/),
    ]);
  });

  it('serves the stylesheet of LOGIN_CSS_FILE instead of its own', async () => {
    const res = await request(server.http).get('/sso/uas/oauth2/static/login.css');

    expect(res.status).toBe(200);
    expect(res.text).toBe('body { background: rebeccapurple; }\n');
  });
});
