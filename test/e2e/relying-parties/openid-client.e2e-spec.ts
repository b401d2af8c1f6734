import { Browser, Page } from 'playwright-core';

import { launchChromium } from '../browser/chromium';
import { OpenidClientApp, startOpenidClientApp } from './apps/openid-client-app';
import {
  enableLogout,
  eventually,
  forgedLogoutToken,
  Idp,
  pageJson,
  registerClient,
  RegisteredClient,
  startIdp,
  submitLoginPage,
  USER,
} from './harness';

/**
 * openid-client v6 in a node:http web application (./apps/openid-client-app.ts), configured with
 * issuer, client id, secret and redirect URI only, signs a user in through the real login page in
 * Chromium, reads the ID token and userinfo, refreshes, and logs out (RP-Initiated Logout 1.0
 * and Back-Channel Logout 1.0).
 */
describe('relying party: openid-client v6', () => {
  let idp: Idp;
  let registered: RegisteredClient;
  let app: OpenidClientApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    idp = await startIdp();
    registered = await registerClient(idp, {
      client_name: 'openid-client app',
      // openid-client authenticates with a client secret by client_secret_post unless told
      // otherwise, and the server holds a client to the method it registered (RFC 7591 §2).
      token_endpoint_auth_method: 'client_secret_post',
    });
    app = await startOpenidClientApp({
      issuer: idp.issuer,
      clientId: registered.client.client_id,
      clientSecret: registered.client.client_secret!,
    });
    // One browser for the file: the bundled Chromium is single-process.
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await idp?.close();
  });

  it('signs in through the login page and reads the claims of the ID token and userinfo', async () => {
    await page.goto(`${app.origin}/login`);
    await submitLoginPage(page);

    expect(page.url()).toMatch(new RegExp(`^${app.redirectUri}\\?`));
    const result = await pageJson<{ claims: Record<string, unknown>; userinfo: object }>(page);
    expect(result.claims).toMatchObject({
      iss: idp.issuer,
      sub: idp.user.id,
      aud: registered.client.client_id,
      name: USER.name,
      email: USER.email,
      email_verified: true,
    });
    expect(result.userinfo).toMatchObject({
      sub: idp.user.id,
      name: USER.name,
      given_name: USER.given_name,
      family_name: USER.family_name,
      email: USER.email,
    });
  });

  it('signs in again without the form, with offline_access, and refreshes both grants', async () => {
    await page.goto(
      `${app.origin}/login?scope=${encodeURIComponent('openid email offline_access')}`,
    );
    const second = await pageJson<{ scope: string; grant: number }>(page);
    expect(second.scope.split(' ')).toContain('offline_access');
    expect(second.grant).toBe(1);

    for (const grant of [0, 1]) {
      await page.goto(`${app.origin}/refresh?grant=${grant}`);
      expect(await pageJson(page)).toMatchObject({
        access_token: true,
        claims: { sub: idp.user.id },
      });
    }
  });

  // Needs the logout contract (end_session_endpoint, back-channel logout) on the server.
  it('logs out: the browser session ends, prompt=none gets login_required, the back-channel logout token validates', async () => {
    await enableLogout(idp, registered, {
      post_logout_redirect_uris: [app.postLogoutRedirectUri],
      backchannel_logout_uri: app.backchannelLogoutUri,
    });

    await page.goto(`${app.origin}/logout`);
    expect(page.url()).toMatch(new RegExp(`^${app.postLogoutRedirectUri}\\?`));
    expect(await pageJson(page)).toEqual({ stateMatches: true });

    await page.goto(`${app.origin}/login?prompt=none`);
    expect(await pageJson(page)).toEqual({ error: 'login_required' });

    const token = await eventually(() => app.logoutTokens[0], 'the back-channel logout token');
    expect(app.rejectedLogoutTokens).toEqual([]);
    expect(token).toMatchObject({ iss: idp.issuer, sub: idp.user.id, sid: expect.any(String) });

    await page.goto(`${app.origin}/me`);
    expect(await pageJson(page)).toEqual({ signedIn: false });

    // The refresh token granted without offline_access ended with the session; the other did not.
    await page.goto(`${app.origin}/refresh?grant=0`);
    expect(await pageJson(page)).toEqual({ error: 'invalid_grant' });
    await page.goto(`${app.origin}/refresh?grant=1`);
    expect(await pageJson(page)).toMatchObject({ access_token: true });
  });

  it('its back-channel logout endpoint refuses a logout token the issuer did not sign', async () => {
    const rejectedBefore = app.rejectedLogoutTokens.length;
    const res = await fetch(app.backchannelLogoutUri, {
      method: 'POST',
      body: new URLSearchParams({
        logout_token: await forgedLogoutToken(idp, registered.client.client_id),
      }),
    });
    expect(res.status).toBe(400);
    expect(app.rejectedLogoutTokens.slice(rejectedBefore)).toEqual([
      'signature verification failed',
    ]);
  });
});
