import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';

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
} from 'openid-client';
import { Browser, BrowserContext, CDPSession, Page, Request } from 'playwright-core';

import { FixedClock } from '@app/config';

import { admin, adminCreateClient, adminCreateUser } from '../../setup/oauth';
import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import { startTestServer, TestServer } from '../../setup/test-server';
import { totpAt } from '../../setup/totp';
import { launchChromium } from './chromium';

const PASSWORD = 'correct horse battery';

/**
 * CONTRACT §3: a passkey registered after sign-in, then used as the second factor, with
 * Chromium's virtual authenticator (DevTools protocol WebAuthn domain) in place of a device.
 * The issuer is on `localhost`: WebAuthn relying party ids are domains, never IP addresses.
 */
describe('passkeys with a browser', () => {
  let db: TestDatabase;
  let server: TestServer;
  let relyingParty: Server;
  let redirectUri: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  let config: Configuration;
  let user: { id: string };
  let secret: string;
  const clock = new FixedClock(new Date(Date.now() - 10 * 60 * 1000));

  beforeAll(async () => {
    relyingParty = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<title>Signed in</title>'),
    );
    await new Promise<void>((resolve) => relyingParty.listen(0, '127.0.0.1', resolve));
    redirectUri = `http://127.0.0.1:${(relyingParty.address() as AddressInfo).port}/callback`;
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url, clock, issuerHost: 'localhost' });
    const client = await adminCreateClient(server, {
      client_name: 'Payroll',
      redirect_uris: ['http://127.0.0.1/callback'],
      grant_types: ['authorization_code'],
      require_mfa: true,
    });
    config = await discovery(
      new URL(server.issuer),
      client.client_id,
      undefined,
      ClientSecretBasic(client.client_secret),
      { execute: [allowInsecureRequests] },
    );
    user = await adminCreateUser(server, { username: 'petra', password: PASSWORD });
    secret = (await admin(server).post(`/admin/v1/users/${user.id}/factors`, { type: 'totp' })).body
      .secret;
    // The bundled Chromium runs as one process: one browser, one context, for the whole file.
    browser = await launchChromium();
    context = await browser.newContext();
    page = await context.newPage();
    cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await db?.drop();
    await new Promise((resolve) => relyingParty?.close(resolve));
  });

  async function submitted(submit: () => Promise<void>): Promise<void> {
    await Promise.all([page.waitForNavigation(), submit()]);
  }

  async function signInWithPassword(): Promise<{
    redeem: () => ReturnType<typeof authorizationCodeGrant>;
  }> {
    const codeVerifier = randomPKCECodeVerifier();
    const nonce = randomNonce();
    const url = buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid',
      code_challenge: await calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      nonce,
    });
    await page.goto(url.href, { waitUntil: 'domcontentloaded' });
    await page.locator('#uas-username').fill('petra');
    await page.locator('#uas-password').fill(PASSWORD);
    await submitted(() => page.keyboard.press('Enter'));
    return {
      redeem: () =>
        authorizationCodeGrant(config, new URL(page.url()), {
          pkceCodeVerifier: codeVerifier,
          expectedNonce: nonce,
          idTokenExpected: true,
        }),
    };
  }

  it('refuses to add a passkey without a session that passed a second factor', async () => {
    const res = await page.goto(`${server.issuer}/oauth2/passkeys`);

    expect(res?.status()).toBe(401);
    expect(await page.locator('h1').textContent()).toBe('Add a passkey');
    expect(await page.getByRole('button').count()).toBe(0);
  });

  it('adds a passkey after a sign-in with TOTP, signs in with password and passkey, and takes that answer once', async () => {
    await signInWithPassword();
    await page.locator('#uas-code').fill(totpAt(secret, clock.now()));
    await submitted(() => page.keyboard.press('Enter'));
    expect(page.url()).toContain(redirectUri);

    const registration = await page.goto(`${server.issuer}/oauth2/passkeys`);
    expect(registration?.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(await page.locator('script').getAttribute('src')).toBe('/uas/oauth2/static/passkey.js');
    await submitted(() => page.getByRole('button', { name: 'Add a passkey' }).click());
    expect(await page.locator('h1').textContent()).toBe('Passkey added');
    const factors = await admin(server).get(`/admin/v1/users/${user.id}/factors`);
    expect(factors.body.items.map((f: { type: string }) => f.type).sort()).toEqual([
      'passkey',
      'totp',
    ]);

    await context.clearCookies();
    clock.advance(60);
    const flight = await signInWithPassword();
    expect(await page.title()).toBe('Confirm it is you');
    // The app's code is asked first; the passkey is the other way.
    await submitted(() => page.getByRole('button', { name: 'Use a passkey' }).click());
    expect(await page.locator('#uas-passkey').count()).toBe(1);
    // The script prevents the first submit, runs the ceremony, then posts the form itself.
    const answers: { url: string; form: string }[] = [];
    const capture = (request: Request) => {
      const body = request.postData();
      if (request.method() === 'POST' && body?.includes('passkey='))
        answers.push({ url: request.url(), form: body });
    };
    page.on('request', capture);
    await page.locator('#uas-passkey').click();
    await page.waitForURL((u) => u.href.startsWith(`${redirectUri}?`), { timeout: 10_000 });
    page.off('request', capture);

    expect((await flight.redeem()).claims()).toMatchObject({
      sub: user.id,
      amr: ['pwd', 'hwk', 'mfa'],
      acr: 'urn:uas:acr:mfa',
    });

    // The same signed answer posted again from the same browser (its ticket still bound to the
    // browser's cookie) is a failed second factor. It is refused at its spent challenge, which is
    // checked first; Chromium's authenticator counts signatures, so the counter would refuse it
    // too and this test cannot tell the two apart: passkey.service.spec.ts proves the challenge
    // check alone (what protects passkeys whose counter stays 0).
    expect(answers).toHaveLength(1);
    const replay = await context.request.post(answers[0].url, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      data: answers[0].form,
      maxRedirects: 0,
    });
    expect(replay.status()).toBe(200);
    const text = await replay.text();
    expect(text).toContain('The passkey could not be used. Try again, or choose another way.');
    expect(text).toContain('id="uas-passkey"');
    expect(replay.headers().location).toBeUndefined();
  });
});
