import { mkdirSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';

import { exportJWK, generateKeyPair } from 'jose';
import {
  allowInsecureRequests,
  authorizationCodeGrant,
  buildAuthorizationUrl,
  buildAuthorizationUrlWithJAR,
  calculatePKCECodeChallenge,
  ClientSecretBasic,
  Configuration,
  discovery,
  randomNonce,
  randomPKCECodeVerifier,
  randomState,
} from 'openid-client';
import { Browser, BrowserContext, Page } from 'playwright-core';

import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import { adminCreateClient, adminCreateUser } from '../../setup/oauth';
import { startTestServer, TestServer } from '../../setup/test-server';
import { launchChromium } from './chromium';

const SCREENSHOT = path.join(__dirname, '..', '..', '..', 'test-output', 'login-page.png');
const PASSWORD = 'correct horse battery';

/**
 * A real browser (Chromium driven by playwright-core, see ./chromium.ts) signs a user in through the
 * login page, and a real relying party (openid-client) redeems the code with its PKCE and
 * nonce checks.
 */
describe('signing in with a browser', () => {
  let db: TestDatabase;
  let server: TestServer;
  let relyingParty: Server;
  let redirectUri: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let config: Configuration;
  let user: { id: string };
  let signingKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

  beforeAll(async () => {
    // The relying party's callback: it only has to answer, the test reads the URL.
    relyingParty = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<title>Signed in</title>'),
    );
    await new Promise<void>((resolve) => relyingParty.listen(0, '127.0.0.1', resolve));
    redirectUri = `http://127.0.0.1:${(relyingParty.address() as AddressInfo).port}/callback`;
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
    const keys = await generateKeyPair('RS256', { extractable: true });
    signingKey = keys.privateKey;
    const client = await adminCreateClient(server, {
      client_name: 'Browser Test App',
      // RFC 8252 §7.3: registered without a port, used with the relying party's ephemeral one.
      redirect_uris: ['http://127.0.0.1/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      jwks: {
        keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'rp-1', use: 'sig', alg: 'RS256' }],
      },
    });
    user = await adminCreateUser(server, { username: 'alice', password: PASSWORD, name: 'Alice' });
    config = await discovery(
      new URL(server.issuer),
      client.client_id,
      undefined,
      ClientSecretBasic(client.client_secret),
      {
        execute: [allowInsecureRequests],
      },
    );
    browser = await launchChromium();
    context = await browser.newContext();
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await db?.drop();
    await new Promise((resolve) => relyingParty?.close(resolve));
  });

  it('signs in with the keyboard and gives openid-client a code that passes its PKCE and nonce checks', async () => {
    const codeVerifier = randomPKCECodeVerifier();
    const nonce = randomNonce();
    const state = randomState();
    const url = buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid',
      code_challenge: await calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      nonce,
      state,
    });

    await page.goto(url.href);
    expect(await page.title()).toBe('Sign in');
    expect(await page.locator('main').ariaSnapshot()).toBe(
      [
        '- main:',
        '  - heading "Sign in" [level=1]',
        '  - paragraph: Sign in to continue to Browser Test App.',
        '  - text: Username',
        '  - textbox "Username"',
        '  - text: Password',
        '  - textbox "Password"',
        '  - button "Sign in"',
      ].join('\n'),
    );
    // The page's scripts (there are none) could not read its cookies either.
    expect(await page.evaluate('document.cookie')).toBe('');
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // Keyboard only: the username has the focus, Tab moves to the password, Enter submits.
    await page.keyboard.type('alice');
    await page.keyboard.press('Tab');
    await page.keyboard.type('wrong password');
    await page.keyboard.press('Enter');
    await page.waitForLoadState();
    await expectAlert(page, 'The username or password is incorrect.');
    expect(await page.getByRole('textbox', { name: 'Username' }).inputValue()).toBe('alice');
    await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, '-failed.png'), fullPage: true });
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.href.startsWith(`${redirectUri}?`));

    const tokens = await authorizationCodeGrant(config, new URL(page.url()), {
      pkceCodeVerifier: codeVerifier,
      expectedNonce: nonce,
      expectedState: state,
      idTokenExpected: true,
    });

    expect(tokens.claims()).toMatchObject({
      iss: server.issuer,
      sub: user.id,
      nonce,
      amr: ['pwd'],
    });
    expect(tokens.refresh_token).toEqual(expect.any(String));
  });

  it('passes a second request from the same browser without the form, also with a request object by openid-client', async () => {
    const codeVerifier = randomPKCECodeVerifier();
    const nonce = randomNonce();
    const url = await buildAuthorizationUrlWithJAR(
      config,
      {
        redirect_uri: redirectUri,
        scope: 'openid',
        code_challenge: await calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        nonce,
      },
      { key: signingKey, kid: 'rp-1' },
    );

    await page.goto(url.href);
    await page.waitForURL((u) => u.href.startsWith(`${redirectUri}?`));
    const tokens = await authorizationCodeGrant(config, new URL(page.url()), {
      pkceCodeVerifier: codeVerifier,
      expectedNonce: nonce,
    });

    expect(tokens.claims()).toMatchObject({ sub: user.id, nonce });
  });

  it('keeps the session in an HttpOnly, SameSite=Lax cookie', async () => {
    const cookies = await context.cookies(server.issuer);

    expect(cookies.find((c) => c.name === 'uas_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Lax',
      secure: false,
      path: '/uas',
    });
  });
});

async function expectAlert(page: Page, text: string): Promise<void> {
  const alert = page.getByRole('alert');
  expect(await alert.textContent()).toBe(text);
}
