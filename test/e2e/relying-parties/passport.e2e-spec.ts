import { Browser, Page } from 'playwright-core';

import { launchChromium } from '../browser/chromium';
import { PassportApp, startPassportApp } from './apps/passport-app';
import {
  enableLogout,
  eventually,
  Idp,
  pageJson,
  registerClient,
  RegisteredClient,
  startIdp,
  submitLoginPage,
  USER,
} from './harness';

/**
 * Passport with the Strategy of `openid-client/passport` in an Express application
 * (./apps/passport-app.ts), configured with issuer, client id, secret and callback URL only.
 */
describe('relying party: Passport with openid-client/passport', () => {
  let idp: Idp;
  let registered: RegisteredClient;
  let app: PassportApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    idp = await startIdp();
    registered = await registerClient(idp, {
      client_name: 'Passport app',
      // openid-client's default client authentication with a secret (RFC 7591 §2).
      token_endpoint_auth_method: 'client_secret_post',
    });
    app = await startPassportApp({
      issuer: idp.issuer,
      clientId: registered.client.client_id,
      clientSecret: registered.client.client_secret!,
    });
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
    const result = await pageJson<{ claims: object; userinfo: object }>(page);
    expect(result.claims).toMatchObject({
      iss: idp.issuer,
      sub: idp.user.id,
      aud: registered.client.client_id,
      name: USER.name,
      email: USER.email,
    });
    expect(result.userinfo).toMatchObject({
      sub: idp.user.id,
      name: USER.name,
      email: USER.email,
      email_verified: true,
    });
    await page.goto(`${app.origin}/me`);
    expect(await pageJson(page)).toEqual({ signedIn: true });
  });

  it('refreshes the tokens of the signed-in user', async () => {
    await page.goto(`${app.origin}/refresh`);
    expect(await pageJson(page)).toMatchObject({
      access_token: true,
      claims: { sub: idp.user.id, name: USER.name },
    });
  });

  // Needs the logout contract (end_session_endpoint, back-channel logout) on the server.
  it('logs out: the browser session ends, prompt=none gets login_required, the back-channel logout token validates', async () => {
    await enableLogout(idp, registered, {
      post_logout_redirect_uris: [app.postLogoutRedirectUri],
      backchannel_logout_uri: app.backchannelLogoutUri,
    });

    await page.goto(`${app.origin}/logout`);
    // No state: openid-client/passport sends id_token_hint and post_logout_redirect_uri only.
    expect(page.url()).toMatch(new RegExp(`^${app.postLogoutRedirectUri}(\\?|$)`));
    expect(await pageJson(page)).toEqual({ signedIn: false });

    await page.goto(`${app.origin}/login?prompt=none`);
    expect(page.url()).toMatch(new RegExp(`^${app.redirectUri}\\?`));
    expect(await pageJson(page)).toEqual({ error: 'login_required' });

    const token = await eventually(() => app.logoutTokens[0], 'the back-channel logout token');
    expect(app.rejectedLogoutTokens).toEqual([]);
    expect(token).toMatchObject({ iss: idp.issuer, sub: idp.user.id, sid: expect.any(String) });
  });
});
