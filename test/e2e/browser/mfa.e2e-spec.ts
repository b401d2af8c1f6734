import { mkdirSync } from 'node:fs';
import { createServer, Server } from 'node:http';
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
import { Browser, BrowserContext, Page } from 'playwright-core';

import { FixedClock } from '@app/config';

import { LoopbackSmsGateway, otpIn } from '../../setup/loopback-sms-gateway';
import { admin, adminCreateClient, adminCreateUser } from '../../setup/oauth';
import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import { startTestServer, TestServer } from '../../setup/test-server';
import { totpAt } from '../../setup/totp';
import { launchChromium } from './chromium';

const OUTPUT = path.join(__dirname, '..', '..', '..', 'test-output');
const PASSWORD = 'correct horse battery';
const ACR_MFA = 'urn:uas:acr:mfa';

/** One authorization request of openid-client, and what it needs to redeem the answer. */
interface Flight {
  url: URL;
  redeem(page: Page): ReturnType<typeof authorizationCodeGrant>;
}

/**
 * CONTRACT §3 "Sign-in with more than a password", in Chromium: a client that requires MFA, a
 * password then a TOTP code (computed here from RFC 6238, apart from the server's code), an SMS
 * code read from a loopback gateway, enrolment of an app at sign-in with recovery codes,
 * acr_values asking a password-only session for the factor, and `amr`/`acr` checked by
 * openid-client on the ID token.
 */
describe('multi-factor sign-in with a browser', () => {
  let db: TestDatabase;
  let server: TestServer;
  let gateway: LoopbackSmsGateway;
  let relyingParty: Server;
  let redirectUri: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let strict: Configuration;
  let plain: Configuration;
  let tina: { id: string; secret: string };
  let sam: { id: string };
  let nina: { id: string };
  // Behind the wall clock, so moving it on never puts iat in openid-client's future.
  const clock = new FixedClock(new Date(Date.now() - 15 * 60 * 1000));

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    relyingParty = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<title>Signed in</title>'),
    );
    await new Promise<void>((resolve) => relyingParty.listen(0, '127.0.0.1', resolve));
    redirectUri = `http://127.0.0.1:${(relyingParty.address() as AddressInfo).port}/callback`;
    gateway = new LoopbackSmsGateway();
    const gatewayUrl = await gateway.start();
    db = await createTestDatabase();
    server = await startTestServer({
      databaseUrl: db.url,
      clock,
      env: { SMS_GATEWAY_URL: gatewayUrl, LOGIN_MAX_FAILURES: '20' },
    });
    const configOf = async (metadata: Record<string, unknown>) => {
      const client = await adminCreateClient(server, {
        redirect_uris: ['http://127.0.0.1/callback'],
        grant_types: ['authorization_code'],
        ...metadata,
      });
      return discovery(
        new URL(server.issuer),
        client.client_id,
        undefined,
        ClientSecretBasic(client.client_secret),
        { execute: [allowInsecureRequests] },
      );
    };
    strict = await configOf({ client_name: 'Payroll', require_mfa: true });
    plain = await configOf({ client_name: 'Wiki' });
    const t = await adminCreateUser(server, { username: 'tina', password: PASSWORD });
    const factor = await admin(server).post(`/admin/v1/users/${t.id}/factors`, { type: 'totp' });
    tina = { id: t.id, secret: factor.body.secret };
    sam = await adminCreateUser(server, {
      username: 'sam',
      password: PASSWORD,
      phone_number: '+358401234567',
      phone_number_verified: true,
    });
    nina = await adminCreateUser(server, { username: 'nina', password: PASSWORD });
    // The bundled Chromium runs as one process: one browser, one context, for the whole file.
    browser = await launchChromium();
    context = await browser.newContext();
    page = await context.newPage();
  });

  beforeEach(async () => {
    // Every test a browser of no session, on a step of its own (no code of one replays in the next).
    await context.clearCookies();
    clock.advance(60);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await db?.drop();
    await gateway?.stop();
    await new Promise((resolve) => relyingParty?.close(resolve));
  });

  async function flight(
    config: Configuration,
    extra: Record<string, string> = {},
  ): Promise<Flight> {
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
      ...extra,
    });
    return {
      url,
      redeem: (p) =>
        authorizationCodeGrant(config, new URL(p.url()), {
          pkceCodeVerifier: codeVerifier,
          expectedNonce: nonce,
          expectedState: state,
          idTokenExpected: true,
        }),
    };
  }

  async function signInWithPassword(p: Page, username: string): Promise<void> {
    await p.getByRole('textbox', { name: 'Username' }).fill(username);
    await p.getByRole('textbox', { name: 'Password' }).fill(PASSWORD);
    await submitted(p, () => p.keyboard.press('Enter'));
  }

  async function typeCode(p: Page, code: string): Promise<void> {
    // The code input has the focus: typing and Enter are all it takes.
    await p.locator('#uas-code:focus').waitFor({ timeout: 5000 });
    await p.keyboard.type(code);
    await submitted(p, () => p.keyboard.press('Enter'));
  }

  /** Opens an authorization request; the answer's document is enough (no wait for subresources). */
  async function visit(p: Page, url: URL): Promise<void> {
    await p.goto(url.href, { waitUntil: 'domcontentloaded', timeout: 10_000 });
  }

  /** Submits a form and waits until the answer has loaded (a post back to the same URL). */
  async function submitted(p: Page, submit: () => Promise<void>): Promise<void> {
    await Promise.all([p.waitForNavigation(), submit()]);
  }

  const arrived = async (p: Page) => {
    if (!p.url().startsWith(`${redirectUri}?`))
      await p
        .waitForURL((u) => u.href.startsWith(`${redirectUri}?`), { timeout: 5000 })
        .catch(async (e) => {
          throw new Error(
            `${p.url()} ${await p.title()} ${await p.locator('main').textContent()} ${e}`,
          );
        });
  };

  it('signs in with a password and a TOTP code, with amr and acr checked by openid-client', async () => {
    const f = await flight(strict);

    await visit(page, f.url);
    await signInWithPassword(page, 'tina');
    expect(await page.title()).toBe('Confirm it is you');
    expect(await page.locator('main').ariaSnapshot()).toBe(
      [
        '- main:',
        '  - heading "Confirm it is you" [level=1]',
        '  - paragraph: Enter the 6-digit code from your authenticator app.',
        '  - text: Code',
        '  - textbox "Code"',
        '  - paragraph: You can also enter one of your recovery codes.',
        '  - button "Verify"',
      ].join('\n'),
    );
    await page.screenshot({ path: path.join(OUTPUT, 'mfa-totp-en.png'), fullPage: true });
    await typeCode(page, totpAt(tina.secret, clock.now()));
    await arrived(page);
    const tokens = await f.redeem(page);

    expect(tokens.claims()).toMatchObject({
      sub: tina.id,
      amr: ['pwd', 'otp', 'mfa'],
      acr: ACR_MFA,
    });
    const listed = await admin(server).get(`/admin/v1/users/${tina.id}/factors`);
    expect(listed.body.items[0].last_used_at).toEqual(expect.any(String));
  });

  it('refuses a TOTP code used before, and takes the next one', async () => {
    const used = totpAt(tina.secret, clock.now());
    const first = await flight(strict);
    await visit(page, first.url);
    await signInWithPassword(page, 'tina');
    await typeCode(page, used);
    await arrived(page);
    await context.clearCookies();
    const second = await flight(strict);

    await visit(page, second.url);
    await signInWithPassword(page, 'tina');
    await typeCode(page, used);

    expect(await page.getByRole('alert').textContent()).toBe(
      'The code is incorrect or has expired.',
    );
    expect(await page.getByRole('textbox', { name: 'Code' }).getAttribute('aria-invalid')).toBe(
      'true',
    );
    await typeCode(page, totpAt(tina.secret, clock.now(), 1));
    await arrived(page);
    expect((await second.redeem(page)).claims()).toMatchObject({ acr: ACR_MFA });
  });

  it('does not let a password alone through to a client that requires MFA', async () => {
    const f = await flight(strict);

    await visit(page, f.url);
    await signInWithPassword(page, 'tina');
    await typeCode(page, '000000');

    expect(page.url()).not.toContain(redirectUri);
    expect((await context.cookies(server.issuer)).map((c) => c.name)).not.toContain('uas_session');
    // A new request from this browser starts again at the password: no session was made.
    await visit(page, f.url);
    expect(await page.getByRole('textbox', { name: 'Password' }).count()).toBe(1);
  });

  it('shows the TOTP page in Finnish and Swedish', async () => {
    for (const [locale, title] of [
      ['fi', 'Vahvista henkilöllisyytesi'],
      ['sv', 'Bekräfta att det är du'],
    ]) {
      const f = await flight(strict, { ui_locales: locale });
      await visit(page, f.url);
      await page.locator('#uas-username').fill('tina');
      await page.locator('#uas-password').fill(PASSWORD);
      await submitted(page, () => page.keyboard.press('Enter'));

      expect(await page.title()).toBe(title);
      expect(await page.locator('html').getAttribute('lang')).toBe(locale);
      await page.screenshot({ path: path.join(OUTPUT, `mfa-totp-${locale}.png`), fullPage: true });
    }
  });

  it('signs in with a password and an SMS code sent at once to the verified number', async () => {
    const f = await flight(strict);
    const before = gateway.texts.length;

    await visit(page, f.url);
    await signInWithPassword(page, 'sam');
    expect(gateway.texts.length).toBe(before + 1);
    const text = gateway.texts[before];
    expect(text.mobile).toBe('+358401234567');
    expect(await page.locator('.uas-lead').textContent()).toBe(
      'We sent a code by text message to ••• 567. Enter it below.',
    );
    await typeCode(page, otpIn(text.challenge));
    await arrived(page);

    expect((await f.redeem(page)).claims()).toMatchObject({
      sub: sam.id,
      amr: ['pwd', 'sms', 'mfa'],
      acr: ACR_MFA,
    });
  });

  it('tells a user whose verified number can get no code to ask the administrator, and offers no way around it', async () => {
    // The admin API keeps `12345`; the SMS sender takes only an MSISDN of 6 to 15 digits.
    await adminCreateUser(server, {
      username: 'uma',
      password: PASSWORD,
      phone_number: '12345',
      phone_number_verified: true,
    });
    const f = await flight(strict);
    const before = gateway.texts.length;

    await visit(page, f.url);
    await signInWithPassword(page, 'uma');
    await page.screenshot({ path: path.join(OUTPUT, 'mfa-unreachable-en.png'), fullPage: true });

    expect(await page.title()).toBe('Confirm it is you');
    expect(await page.getByRole('alert').textContent()).toBe(
      'No code can be sent to the phone number or e-mail address of your account. Ask your administrator to correct it, then sign in again.',
    );
    expect(await page.locator('form, input, button').count()).toBe(0);
    expect(gateway.texts.length).toBe(before);
    expect(page.url()).not.toContain(redirectUri);
  });

  it('lets a user without a factor set up an app at sign-in, shows recovery codes once, and takes one later', async () => {
    const f = await flight(strict);

    await visit(page, f.url);
    await signInWithPassword(page, 'nina');
    expect(await page.title()).toBe('Set up an authenticator app');
    const qr = page.getByRole('img', { name: 'QR code for the authenticator app' });
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(
      await qr.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
    ).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(OUTPUT, 'mfa-enrol-en.png'), fullPage: true });
    const secret = ((await page.locator('.uas-secret').textContent()) ?? '').replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await typeCode(page, totpAt(secret, clock.now()));

    expect(await page.title()).toBe('Save your recovery codes');
    const codes = await page.locator('.uas-codes code').allTextContents();
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(/^[0-9a-z]{5}-[0-9a-z]{5}$/);
    await page.screenshot({ path: path.join(OUTPUT, 'mfa-recovery-en.png'), fullPage: true });
    await page.getByRole('button', { name: 'Continue' }).and(page.locator(':focus')).waitFor();
    await submitted(page, () => page.keyboard.press('Enter'));
    await arrived(page);
    expect((await f.redeem(page)).claims()).toMatchObject({
      sub: nina.id,
      amr: ['pwd', 'otp', 'mfa'],
      acr: ACR_MFA,
    });
    const factors = await admin(server).get(`/admin/v1/users/${nina.id}/factors`);
    expect(factors.body.items).toEqual([expect.objectContaining({ type: 'totp' })]);

    // A recovery code in place of the app's code, once.
    await context.clearCookies();
    const later = await flight(strict);
    await visit(page, later.url);
    await signInWithPassword(page, 'nina');
    await typeCode(page, codes[3]);
    await arrived(page);
    expect((await later.redeem(page)).claims()).toMatchObject({ acr: ACR_MFA });
    await context.clearCookies();
    const again = await flight(strict);
    await visit(page, again.url);
    await signInWithPassword(page, 'nina');
    await typeCode(page, codes[3]);
    expect(await page.getByRole('alert').textContent()).toBe(
      'The code is incorrect or has expired.',
    );
  });

  it('shows the enrolment page in Finnish and Swedish', async () => {
    const fresh = await Promise.all(
      ['fiia', 'sven'].map((username) => adminCreateUser(server, { username, password: PASSWORD })),
    );
    for (const [locale, user, title] of [
      ['fi', fresh[0].username, 'Ota todennussovellus käyttöön'],
      ['sv', fresh[1].username, 'Konfigurera en autentiseringsapp'],
    ]) {
      const f = await flight(strict, { ui_locales: locale });
      await visit(page, f.url);
      await page.locator('#uas-username').fill(user);
      await page.locator('#uas-password').fill(PASSWORD);
      await submitted(page, () => page.keyboard.press('Enter'));

      expect(await page.title()).toBe(title);
      await page.screenshot({ path: path.join(OUTPUT, `mfa-enrol-${locale}.png`), fullPage: true });
    }
  });

  it('asks a password-only session for the factor alone when acr_values names urn:uas:acr:mfa', async () => {
    const first = await flight(plain);
    await visit(page, first.url);
    await signInWithPassword(page, 'tina');
    await arrived(page);
    expect((await first.redeem(page)).claims()).toMatchObject({
      amr: ['pwd'],
      acr: 'urn:uas:acr:pwd',
    });

    const stepUp = await flight(plain, { acr_values: ACR_MFA });
    await visit(page, stepUp.url);
    expect(await page.title()).toBe('Confirm it is you');
    expect(await page.getByRole('textbox', { name: 'Password' }).count()).toBe(0);
    await typeCode(page, totpAt(tina.secret, clock.now()));
    await arrived(page);
    expect((await stepUp.redeem(page)).claims()).toMatchObject({
      amr: ['pwd', 'otp', 'mfa'],
      acr: ACR_MFA,
    });

    // The session now has the factor: no question for the next request...
    const passes = await flight(strict);
    await visit(page, passes.url);
    await arrived(page);
    expect((await passes.redeem(page)).claims()).toMatchObject({ acr: ACR_MFA });
    // ...until prompt=login asks for the password and then the factor again.
    clock.advance(30);
    const again = await flight(strict, { prompt: 'login' });
    await visit(page, again.url);
    await signInWithPassword(page, 'tina');
    expect(await page.title()).toBe('Confirm it is you');
  });
});
