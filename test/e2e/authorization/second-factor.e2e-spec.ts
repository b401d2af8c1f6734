import request from 'supertest';

import { FixedClock } from '@app/config';
import { Database } from '@app/persistence';

import { CreatedClient } from '../../factories/client.factory';
import { admin, adminCreateClient, adminCreateUser, basic, postForm } from '../../setup/oauth';
import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import { LoopbackSmsGateway } from '../../setup/loopback-sms-gateway';
import { startTestServer, TestServer } from '../../setup/test-server';
import { totpAt } from '../../setup/totp';
import { authorizationPath, Browser, parseForm, pkcePair, redirectParams } from './browser';

const PASSWORD = 'correct horse battery';
const REDIRECT_URI = 'https://app.example.com/cb';
const MAX_FAILURES = 3;
const WINDOW_SECONDS = 900;

/**
 * CONTRACT §3 "Sign-in with more than a password" over plain HTTP: what discovery says, the
 * password grant refusing a client that requires MFA, the limit on failed codes, and the
 * second-step form's binding to its browser.
 */
describe('second factor at the authorization endpoint', () => {
  let db: TestDatabase;
  let server: TestServer;
  let client: CreatedClient;
  let user: { id: string };
  let secret: string;
  let gateway: LoopbackSmsGateway;

  beforeAll(async () => {
    db = await createTestDatabase();
    gateway = new LoopbackSmsGateway();
    const gatewayUrl = await gateway.start();
    server = await startTestServer({
      databaseUrl: db.url,
      clock: new FixedClock(new Date('2031-03-01T12:00:00Z')),
      env: {
        LOGIN_MAX_FAILURES: String(MAX_FAILURES),
        LOGIN_WINDOW_SECONDS: String(WINDOW_SECONDS),
        SMS_GATEWAY_URL: gatewayUrl,
      },
    });
    client = await adminCreateClient(server, {
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'password'],
      require_mfa: true,
    });
    user = await adminCreateUser(server, { username: 'tom', password: PASSWORD });
    secret = (await admin(server).post(`/admin/v1/users/${user.id}/factors`, { type: 'totp' })).body
      .secret;
  });

  afterAll(async () => {
    await server?.close();
    await gateway?.stop();
    await db?.drop();
  });

  /** Opens a request of the client and signs in with the password: the second-step page. */
  async function toSecondStep(browser: Browser, username = 'tom'): Promise<request.Response> {
    const form = await browser.openLoginPage({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      state: 'st',
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256',
    });
    const page = await browser.submitLogin(form, username, PASSWORD);
    expect(page.status).toBe(200);
    return page;
  }

  const postCode = (browser: Browser, page: request.Response, code: string) => {
    const form = parseForm(page.text);
    return browser.post(form.action, { ...form.hidden, code });
  };

  /** Signs `username` in with an app enrolled at the second step: the recovery codes shown. */
  async function enrolAtSignIn(username: string): Promise<string[]> {
    const browser = new Browser(server);
    const page = await toSecondStep(browser, username);
    const secret = secretOn(page);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const shown = await postCode(browser, page, totpAt(secret, server.clock.now()));
    expect(shown.status).toBe(200);
    const codes = [
      ...shown.text.matchAll(/<li><code>([0-9a-z]{5}-[0-9a-z]{5})<\/code><\/li>/g),
    ].map((m) => m[1]);
    expect(codes).toHaveLength(10);
    return codes;
  }

  /** The answer to `code` at the second step of a new sign-in of `username`. */
  async function answerSecondStep(username: string, code: string): Promise<request.Response> {
    const browser = new Browser(server);
    return postCode(browser, await toSecondStep(browser, username), code);
  }

  /** The one number `sql` counts, read through the server's own connection pool. */
  async function countOf(sql: string, params: unknown[]): Promise<number> {
    const rows = await server.app.get(Database).query<{ n: number }>(sql, params);
    return rows[0]?.n ?? 0;
  }

  /** The count of the current window of a rate-limit bucket (0 when it has none). */
  const failureCount = (bucket: string) =>
    countOf('SELECT count AS n FROM rate_limits WHERE bucket = $1', [bucket]);

  const unusedRecoveryCodes = (userId: string) =>
    countOf(
      'SELECT count(*)::int AS n FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL',
      [userId],
    );

  /** The TOTP secret an enrolment page shows, its spaces taken out. */
  function secretOn(page: request.Response): string {
    return (/class="uas-secret">([^<]+)</.exec(page.text)?.[1] ?? '').replace(/\s/g, '');
  }

  it('publishes acr_values_supported and acr among the claims', async () => {
    const res = await request(server.http).get('/uas/.well-known/openid-configuration');

    expect(res.body.acr_values_supported).toEqual(['urn:uas:acr:pwd', 'urn:uas:acr:mfa']);
    expect(res.body.claims_supported).toContain('acr');
  });

  it('refuses the password grant for a client that requires MFA', async () => {
    const res = await postForm(
      server,
      '/oauth2/token',
      { grant_type: 'password', username: 'tom', password: PASSWORD, scope: 'openid' },
      basic(client.client_id, client.client_secret as string),
    );

    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
  });

  it('asks a member of a require_mfa group for a second factor, and refuses them the password grant', async () => {
    const plain = await adminCreateClient(server, {
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'password'],
    });
    const member = await adminCreateUser(server, { username: 'gus', password: PASSWORD });
    const group = await admin(server).post('/admin/v1/groups', {
      name: 'Finance',
      require_mfa: true,
    });
    expect(group.status).toBe(201);
    const joined = await admin(server).put(
      `/admin/v1/groups/${group.body.id}/members/${member.id}`,
      {},
    );
    expect(joined.status).toBe(204);
    const browser = new Browser(server);
    const form = await browser.openLoginPage({
      response_type: 'code',
      client_id: plain.client_id,
      redirect_uri: REDIRECT_URI,
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256',
    });

    const page = await browser.submitLogin(form, 'gus', PASSWORD);
    const grant = await postForm(
      server,
      '/oauth2/token',
      { grant_type: 'password', username: 'gus', password: PASSWORD },
      basic(plain.client_id, plain.client_secret as string),
    );

    expect(page.status).toBe(200);
    expect(page.text).toContain('name="code"');
    expect(browser.cookies.has('uas_session')).toBe(false);
    expect(grant.status).toBe(400);
    expect(grant.body).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
  });

  it('serves the second step with the login page headers, no script, and no session cookie', async () => {
    const browser = new Browser(server);

    const page = await toSecondStep(browser);

    expect(page.headers['content-security-policy']).toBe(
      "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'",
    );
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.text).not.toMatch(/<script/i);
    expect(page.text).toContain('name="code"');
    expect(browser.cookies.has('uas_session')).toBe(false);
  });

  it('asks for the factor when the claims parameter demands acr urn:uas:acr:mfa as essential (Core §5.5.1.1)', async () => {
    const plain = await adminCreateClient(server, {
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code'],
    });
    const signIn = async (values: string[]) => {
      const browser = new Browser(server);
      const form = await browser.openLoginPage({
        response_type: 'code',
        client_id: plain.client_id,
        redirect_uri: REDIRECT_URI,
        scope: 'openid',
        state: 'st',
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
        claims: JSON.stringify({ id_token: { acr: { essential: true, values } } }),
      });
      return browser.submitLogin(form, 'tom', PASSWORD);
    };

    const demanded = await signIn(['urn:uas:acr:mfa']);
    const either = await signIn(['urn:uas:acr:pwd', 'urn:uas:acr:mfa']);

    expect(demanded.status).toBe(200);
    expect(demanded.text).toContain('name="code"');
    expect(either.status).toBe(303);
  });

  it(`refuses even the right code after ${MAX_FAILURES} wrong ones, until the window has passed`, async () => {
    const browser = new Browser(server);
    let page = await toSecondStep(browser);

    for (let i = 0; i < MAX_FAILURES; i += 1) {
      page = await postCode(browser, page, '000000');
      expect(page.status).toBe(200);
      expect(page.text).toContain('role="alert"');
    }
    const throttled = await postCode(browser, page, totpAt(secret, server.clock.now()));

    expect(throttled.status).toBe(200);
    expect(throttled.text).toContain('role="alert"');
    expect(browser.cookies.has('uas_session')).toBe(false);
    server.clock.advance(WINDOW_SECONDS + 1);
    const fresh = await toSecondStep(browser);
    const passed = await postCode(browser, fresh, totpAt(secret, server.clock.now()));
    expect(passed.status).toBe(303);
    expect(redirectParams(passed.headers.location)).toEqual({
      code: expect.any(String),
      state: 'st',
    });
    expect(browser.cookies.get('uas_session')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('sends an SMS code only to a verified number the SMS grants would send to, and fails closed on another', async () => {
    // The admin API keeps `12345` (digits with an optional +), but it is no MSISDN (6 to 15
    // digits): offering it would show "code sent" for a code that never leaves, and offering an
    // app's enrolment instead would let the password alone around the number the admin set.
    await adminCreateUser(server, {
      username: 'ivy',
      password: PASSWORD,
      phone_number: '12345',
      phone_number_verified: true,
    });
    await adminCreateUser(server, {
      username: 'jan',
      password: PASSWORD,
      phone_number: '+358401234567',
      phone_number_verified: true,
    });
    const signIn = async (username: string) => {
      const before = gateway.texts.length;
      const page = await toSecondStep(new Browser(server), username);
      return { page, texts: gateway.texts.slice(before) };
    };

    const valid = await signIn('jan');
    const invalid = await signIn('ivy');

    expect(valid.texts.map((t) => t.mobile)).toEqual(['+358401234567']);
    expect(valid.page.text).toContain('••• 567');
    expect(invalid.texts).toEqual([]);
    expect(invalid.page.text).not.toContain('••• 345');
    expect(invalid.page.text).toContain('No code can be sent to the phone number');
    expect(invalid.page.text).toContain('role="alert"');
    expect(invalid.page.text).not.toContain('class="uas-qr"');
    expect(invalid.page.text).not.toContain('<form');
  });

  it(`checks at most ${MAX_FAILURES} codes of a burst of posts of one ticket (RFC 6238 §5.2)`, async () => {
    const uma = await adminCreateUser(server, { username: 'uma', password: PASSWORD });
    const umaSecret = (
      await admin(server).post(`/admin/v1/users/${uma.id}/factors`, { type: 'totp' })
    ).body.secret as string;
    const browser = new Browser(server);
    const page = await toSecondStep(browser, 'uma');
    const right = totpAt(umaSecret, server.clock.now());
    const wrong = right === '000000' ? '000001' : '000000';

    // All at once: each post would find the count below the limit before any was counted.
    const burst = await Promise.all(
      Array.from({ length: 4 * MAX_FAILURES }, () => postCode(browser, page, wrong)),
    );
    const checked = await failureCount(`mfa:user:${uma.id}`);
    const afterwards = await postCode(browser, page, right);

    expect(burst.map((r) => r.status)).toEqual(burst.map(() => 200));
    expect(checked).toBe(MAX_FAILURES);
    expect(afterwards.status).toBe(200);
    expect(afterwards.text).toContain('role="alert"');
    server.clock.advance(WINDOW_SECONDS + 1);
  });

  it('enrols one factor with one set of recovery codes when the form is posted twice at once', async () => {
    const xia = await adminCreateUser(server, { username: 'xia', password: PASSWORD });
    const browser = new Browser(server);
    const page = await toSecondStep(browser, 'xia');
    const secret = secretOn(page);
    const code = totpAt(secret, server.clock.now());

    const answers = await Promise.all([
      postCode(browser, page, code),
      postCode(browser, page, code),
    ]);

    const shown = answers.filter((r) => r.text.includes('<li><code>'));
    expect(shown).toHaveLength(1);
    expect((await admin(server).get(`/admin/v1/users/${xia.id}/factors`)).body.items).toHaveLength(
      1,
    );
    const codes = [...shown[0].text.matchAll(/<li><code>([0-9a-z]{5}-[0-9a-z]{5})<\/code>/g)];
    expect(codes).toHaveLength(10);
    expect(await unusedRecoveryCodes(xia.id)).toBe(10);
  });

  it('voids a pending enrolment when an administrator changes the password meanwhile', async () => {
    const vic = await adminCreateUser(server, { username: 'vic', password: PASSWORD });
    // Someone with the stolen password reaches the enrolment page...
    const browser = new Browser(server);
    const page = await toSecondStep(browser, 'vic');
    const secret = secretOn(page);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    // ...the administrator resets it...
    server.clock.advance(1);
    const reset = await admin(server).patch(`/admin/v1/users/${vic.id}`, {
      password: 'a brand new password',
    });
    expect(reset.status).toBe(200);

    // ...and the form posted afterwards signs nobody in and adds no factor.
    const res = await postCode(browser, page, totpAt(secret, server.clock.now()));

    expect(res.status).toBe(400);
    expect(res.text).toContain('<code>invalid_request</code>');
    expect(browser.cookies.has('uas_session')).toBe(false);
    expect((await admin(server).get(`/admin/v1/users/${vic.id}/factors`)).body.items).toEqual([]);
  });

  it('asks for the factor an administrator gave meanwhile instead of enrolling another', async () => {
    const wes = await adminCreateUser(server, { username: 'wes', password: PASSWORD });
    const browser = new Browser(server);
    const page = await toSecondStep(browser, 'wes');
    const secret = secretOn(page);
    const given = await admin(server).post(`/admin/v1/users/${wes.id}/factors`, { type: 'totp' });
    expect(given.status).toBe(201);

    const res = await postCode(browser, page, totpAt(secret, server.clock.now()));

    expect(res.status).toBe(200);
    expect(res.text).toContain('name="code"');
    expect(res.text).not.toContain('class="uas-secret"');
    expect((await admin(server).get(`/admin/v1/users/${wes.id}/factors`)).body.items).toEqual([
      expect.objectContaining({ id: given.body.id }),
    ]);
  });

  it("takes the recovery codes away with the user's last TOTP factor when an administrator removes it", async () => {
    const rita = await adminCreateUser(server, { username: 'rita', password: PASSWORD });
    const codes = await enrolAtSignIn('rita');
    const [lost] = (await admin(server).get(`/admin/v1/users/${rita.id}/factors`)).body.items;
    expect(await unusedRecoveryCodes(rita.id)).toBe(10);

    const removed = await admin(server).delete(`/admin/v1/users/${rita.id}/factors/${lost.id}`);
    // The replacement authenticator an administrator hands out.
    const replacement = await admin(server).post(`/admin/v1/users/${rita.id}/factors`, {
      type: 'totp',
    });
    const oldCode = await answerSecondStep('rita', codes[0]);
    const newApp = await answerSecondStep(
      'rita',
      totpAt(replacement.body.secret, server.clock.now()),
    );

    expect(removed.status).toBe(204);
    expect(await unusedRecoveryCodes(rita.id)).toBe(0);
    expect(oldCode.status).toBe(200);
    expect(oldCode.text).toContain('role="alert"');
    expect(newApp.status).toBe(303);
  });

  it('keeps the recovery codes while another TOTP factor of the user is left', async () => {
    const sam = await adminCreateUser(server, { username: 'sam', password: PASSWORD });
    const codes = await enrolAtSignIn('sam');
    const [enrolled] = (await admin(server).get(`/admin/v1/users/${sam.id}/factors`)).body.items;
    const other = await admin(server).post(`/admin/v1/users/${sam.id}/factors`, { type: 'totp' });
    expect(other.status).toBe(201);

    const removed = await admin(server).delete(`/admin/v1/users/${sam.id}/factors/${enrolled.id}`);
    const recovered = await answerSecondStep('sam', codes[0]);

    expect(removed.status).toBe(204);
    expect(recovered.status).toBe(303);
    expect(await unusedRecoveryCodes(sam.id)).toBe(9);
  });

  it('refuses a second-step form from another browser, and a first-step ticket in its place', async () => {
    const browser = new Browser(server);
    const page = await toSecondStep(browser);
    const form = parseForm(page.text);
    const stranger = new Browser(server);
    await stranger.openLoginPage({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: REDIRECT_URI,
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256',
    });
    server.clock.advance(60);
    const code = totpAt(secret, server.clock.now());

    const foreign = await stranger.post(form.action, { ...form.hidden, code });
    const firstStep = await browser.openLoginPage({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: REDIRECT_URI,
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256',
    });
    const swapped = await browser.post(form.action, {
      factor_ticket: firstStep.hidden.login_ticket,
      code,
    });

    expect(foreign.status).toBe(400);
    expect(swapped.status).toBe(400);
    expect(stranger.cookies.has('uas_session')).toBe(false);
  });
  it('voids a step-up form once the session it steps up has ended', async () => {
    const plain = await adminCreateClient(server, {
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code'],
    });
    const stepper = await adminCreateUser(server, { username: 'stepper', password: PASSWORD });
    const factor = await admin(server).post(`/admin/v1/users/${stepper.id}/factors`, {
      type: 'totp',
    });
    expect(factor.status).toBe(201);
    const params = (clientId: string) => ({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      state: 'st',
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256',
    });
    /** A password-only session, then the MFA client's request: the step-up form. */
    const stepUpForm = async (browser: Browser) => {
      const form = await browser.openLoginPage(params(plain.client_id));
      expect((await browser.submitLogin(form, 'stepper', PASSWORD)).status).toBe(303);
      const page = await browser.get(authorizationPath(params(client.client_id)));
      expect(page.status).toBe(200);
      expect(page.text).toContain('name="code"');
      return page;
    };

    // Answered while the session lives: the code, as any step-up.
    const live = new Browser(server);
    const answered = await postCode(
      live,
      await stepUpForm(live),
      totpAt(factor.body.secret, server.clock.now()),
    );
    expect(answered.status).toBe(303);
    expect(redirectParams(answered.headers.location).code).toBeDefined();

    // The session ends elsewhere (another tab's logout, an administrator) before the answer.
    server.clock.advance(30);
    const ended = new Browser(server);
    const page = await stepUpForm(ended);
    expect((await admin(server).delete(`/admin/v1/users/${stepper.id}/sessions`)).status).toBe(204);
    const late = await postCode(ended, page, totpAt(factor.body.secret, server.clock.now()));
    expect(late.status).toBe(400);
    expect(late.headers.location).toBeUndefined();
    expect(late.headers['set-cookie'] ?? []).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^uas_session=[^;]/)]),
    );
  });
});
