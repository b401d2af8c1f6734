import { mkdirSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';

import {
  allowInsecureRequests,
  authorizationCodeGrant,
  buildAuthorizationUrl,
  calculatePKCECodeChallenge,
  ClientSecretBasic,
  Configuration,
  discovery,
  randomNonce,
  randomPKCECodeVerifier,
  randomState,
} from 'openid-client';
import { Browser } from 'playwright-core';

import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import { adminCreateClient, adminCreateUser } from '../../setup/oauth';
import { startTestServer, TestServer } from '../../setup/test-server';
import { launchChromium } from './chromium';

const OUTPUT = path.join(__dirname, '..', '..', '..', 'test-output');
const PASSWORD = 'correct horse battery';

/** What the stand-in client received at its redirect URI. */
interface Callback {
  readonly method: string;
  readonly contentType: string | undefined;
  readonly referer: string | undefined;
  readonly body: string;
}

/**
 * OAuth 2.0 Form Post Response Mode in a real browser: Chromium signs in with
 * response_mode=form_post and itself POSTs the code to a loopback HTTP server standing in for
 * the client, whose body openid-client then redeems.
 */
describe('signing in with a browser, response_mode=form_post', () => {
  let db: TestDatabase;
  let server: TestServer;
  let relyingParty: Server;
  let redirectUri: string;
  let browser: Browser;
  let config: Configuration;
  let user: { id: string };
  let nextCallback: Promise<Callback>;
  let receive: (callback: Callback) => void;

  /** The next request the client's redirect URI receives. */
  function expectCallback(): void {
    nextCallback = new Promise((resolve) => (receive = resolve));
  }

  beforeAll(async () => {
    relyingParty = createServer((req, res) => {
      void readBody(req).then((body) => {
        receive({
          method: req.method ?? '',
          contentType: req.headers['content-type'],
          referer: req.headers.referer,
          body,
        });
        res.writeHead(200, { 'content-type': 'text/html' }).end('<title>Signed in</title>');
      });
    });
    await new Promise<void>((resolve) => relyingParty.listen(0, '127.0.0.1', resolve));
    redirectUri = `http://127.0.0.1:${(relyingParty.address() as AddressInfo).port}/callback`;
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
    const client = await adminCreateClient(server, {
      client_name: 'Form Post App',
      // RFC 8252 §7.3: registered without a port, used with the relying party's ephemeral one.
      redirect_uris: ['http://127.0.0.1/callback'],
    });
    user = await adminCreateUser(server, { username: 'alice', password: PASSWORD });
    config = await discovery(
      new URL(server.issuer),
      client.client_id,
      undefined,
      ClientSecretBasic(client.client_secret),
      { execute: [allowInsecureRequests] },
    );
    mkdirSync(OUTPUT, { recursive: true });
  });

  // A browser per test: the bundled Chromium runs single-process, where a second context in one
  // browser fails to open a page.
  beforeEach(async () => {
    browser = await launchChromium();
  });

  afterEach(async () => {
    await browser?.close();
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
    await new Promise((resolve) => relyingParty?.close(resolve));
  });

  async function authorizationUrl(): Promise<{ url: URL; verifier: string; nonce: string }> {
    const verifier = randomPKCECodeVerifier();
    const nonce = randomNonce();
    const url = buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid',
      response_mode: 'form_post',
      code_challenge: await calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce,
      state: randomState(),
    });
    return { url, verifier, nonce };
  }

  /** The client's side: the posted form as the Request openid-client reads a form_post answer from. */
  function asRequest(callback: Callback): Request {
    return new Request(redirectUri, {
      method: callback.method,
      headers: { 'content-type': callback.contentType ?? '' },
      body: callback.body,
    });
  }

  it('signs in, and the browser POSTs the code and state to the client, which redeems them', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) violations.push(message.text());
    });
    const { url, verifier, nonce } = await authorizationUrl();

    await page.goto(url.href);
    expect(await page.title()).toBe('Sign in');
    await page.getByRole('textbox', { name: 'Username' }).fill('alice');
    await page.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
    expectCallback();
    await page.getByRole('button', { name: 'Sign in' }).click();
    const callback = await nextCallback;
    await page.waitForURL(redirectUri);
    await page.screenshot({ path: path.join(OUTPUT, 'form-post-client.png'), fullPage: true });

    expect(callback).toMatchObject({
      method: 'POST',
      contentType: 'application/x-www-form-urlencoded',
      // Referrer-Policy: no-referrer on the page that posts.
      referer: undefined,
    });
    const posted = new URLSearchParams(callback.body);
    expect([...posted.keys()].sort()).toEqual(['code', 'state']);
    expect(url.searchParams.get('state')).toBe(posted.get('state'));
    // The page's one script ran under its CSP, and nothing else was blocked.
    expect(violations).toEqual([]);
    const tokens = await authorizationCodeGrant(config, asRequest(callback), {
      pkceCodeVerifier: verifier,
      expectedNonce: nonce,
      expectedState: url.searchParams.get('state') ?? '',
      idTokenExpected: true,
    });
    expect(tokens.claims()).toMatchObject({ sub: user.id, nonce });
    await context.close();
  });

  it('without scripts, shows a button that posts the same answer', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const { url } = await authorizationUrl();
    await page.goto(url.href);
    await page.getByRole('textbox', { name: 'Username' }).fill('alice');
    await page.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForLoadState();

    const button = page.getByRole('button', { name: 'Continue' });
    await page.screenshot({ path: path.join(OUTPUT, 'form-post-noscript.png'), fullPage: true });
    expectCallback();
    await button.click();
    const callback = await nextCallback;

    expect(callback.method).toBe('POST');
    expect(new URLSearchParams(callback.body).get('code')).toEqual(expect.any(String));
    await context.close();
  });
});

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
