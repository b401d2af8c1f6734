import { Browser, Page } from 'playwright-core';

import { launchChromium } from '../browser/chromium';
import { OidcClientTsSpa, startOidcClientTsSpa } from './apps/oidc-client-ts-spa';
import {
  discoveryDocument,
  enableLogout,
  eventually,
  Idp,
  logoutTokenValidator,
  registerClient,
  RegisteredClient,
  startBackchannelReceiver,
  startIdp,
  submitLoginPage,
  USER,
} from './harness';

/**
 * oidc-client-ts, the browser bundle the package ships, in a single-page application on its own
 * origin (./apps/oidc-client-ts-spa.ts), run in Chromium as a public client
 * (token_endpoint_auth_method none) with its defaults: authorization code with PKCE, scope openid.
 * A browser application has no back-channel endpoint of its own: a loopback receiver validates
 * the logout token with jose in its place (Back-Channel Logout 1.0 §2.6).
 */
describe('relying party: oidc-client-ts in a single-page application', () => {
  let idp: Idp;
  let registered: RegisteredClient;
  let spa: OidcClientTsSpa;
  let receiver: Awaited<ReturnType<typeof startBackchannelReceiver>>;
  let browser: Browser;
  let page: Page;

  /** What the page shows in #result once its script has run. */
  async function result<T = Record<string, unknown>>(): Promise<T> {
    await page.waitForFunction("document.getElementById('result')?.textContent");
    return JSON.parse((await page.locator('#result').textContent())!) as T;
  }

  beforeAll(async () => {
    idp = await startIdp();
    registered = await registerClient(idp, {
      client_name: 'Single-page app',
      token_endpoint_auth_method: 'none',
    });
    spa = await startOidcClientTsSpa({
      authority: idp.issuer,
      clientId: registered.client.client_id,
    });
    receiver = await startBackchannelReceiver(
      logoutTokenValidator({
        issuer: idp.issuer,
        jwksUri: (await discoveryDocument(idp)).jwks_uri as string,
        clientId: registered.client.client_id,
      }),
    );
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await spa?.close();
    await idp?.close();
  });

  it('signs in through the login page with PKCE and reads the ID token claims and userinfo across origins', async () => {
    await page.goto(`${spa.origin}/?action=signin`);
    await submitLoginPage(page);

    expect(page.url()).toMatch(new RegExp(`^${spa.redirectUri}\\?`));
    expect(await result()).toEqual({
      profile: expect.objectContaining({
        iss: idp.issuer,
        sub: idp.user.id,
        aud: registered.client.client_id,
        name: USER.name,
        email: USER.email,
      }),
      userinfo: expect.objectContaining({ sub: idp.user.id, name: USER.name, email: USER.email }),
      refreshToken: true,
    });
  });

  it('refreshes with the refresh token, then revokes its tokens', async () => {
    await page.goto(`${spa.origin}/`);
    expect(await page.evaluate('spa.refresh()')).toEqual({
      profile: expect.objectContaining({ sub: idp.user.id, name: USER.name }),
      newAccessToken: true,
    });
    expect(await page.evaluate('spa.userinfo()')).toMatchObject({ sub: idp.user.id });

    expect(await page.evaluate('spa.revoke()')).toEqual({ revoked: true });
    // RFC 7009 §2.1: the revoked access token no longer opens userinfo (RFC 6750 §3.1).
    expect(await page.evaluate('spa.userinfo()')).toEqual({ status: 401 });
  });

  // Needs the logout contract (end_session_endpoint, back-channel logout) on the server.
  it('logs out: the browser session ends, prompt=none gets login_required, the back-channel logout token validates', async () => {
    await enableLogout(idp, registered, {
      post_logout_redirect_uris: [spa.postLogoutRedirectUri],
      backchannel_logout_uri: receiver.uri,
    });
    // A fresh sign-in (the tokens were revoked): the browser session passes it without the form.
    await page.goto(`${spa.origin}/?action=signin`);
    await page.waitForURL((u) => u.href.startsWith(`${spa.redirectUri}?`));
    expect(await result()).toMatchObject({ profile: { sub: idp.user.id } });

    await page.goto(`${spa.origin}/?action=logout`);
    await page.waitForURL((u) => u.href.startsWith(spa.postLogoutRedirectUri));
    expect(await result()).toEqual({ signedOut: true, user: null });

    await page.goto(`${spa.origin}/?action=signin-none`);
    await page.waitForURL((u) => u.href.startsWith(`${spa.redirectUri}?`));
    expect(await result()).toEqual({ error: 'login_required' });

    const token = await eventually(() => receiver.received[0], 'the back-channel logout token');
    expect(receiver.rejected).toEqual([]);
    expect(token).toMatchObject({
      iss: idp.issuer,
      aud: registered.client.client_id,
      sub: idp.user.id,
      sid: expect.any(String),
    });
  });
});
