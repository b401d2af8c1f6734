import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

import { Browser, Page } from 'playwright-core';

import { launchChromium } from '../browser/chromium';
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

/** Debian's interpreter, which has python3-authlib and python3-flask (not a pyenv one on PATH). */
const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(__dirname, 'native', 'flask_authlib_rp.py');

/**
 * A relying party outside Node.js: Flask with Authlib's Flask client
 * (./native/flask_authlib_rp.py), registered with issuer metadata URL, client id, secret and
 * scope as Authlib's documentation shows. Not part of `npm test` (it needs Debian's
 * python3-authlib and python3-flask): `npm run test:rp-native` runs it, and .ci/run installs them.
 */
describe('relying party: Flask with Authlib (Python)', () => {
  let idp: Idp;
  let registered: RegisteredClient;
  let rp: ChildProcess;
  let origin: string;
  let stderr = '';
  let browser: Browser;
  let page: Page;

  async function startFlaskApp(env: Record<string, string>): Promise<string> {
    rp = spawn(PYTHON, [SCRIPT], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    rp.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const port = await new Promise<string>((resolve, reject) => {
      let out = '';
      rp.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /listening (\d+)/.exec(out);
        if (match) resolve(match[1]);
      });
      rp.once('exit', (code) => reject(new Error(`Flask app exited (${code}): ${stderr}`)));
    });
    return `http://127.0.0.1:${port}`;
  }

  beforeAll(async () => {
    idp = await startIdp();
    registered = await registerClient(idp, { client_name: 'Flask app' });
    origin = await startFlaskApp({
      ISSUER: idp.issuer,
      CLIENT_ID: registered.client.client_id,
      CLIENT_SECRET: registered.client.client_secret!,
      // Authlib refuses token requests over http:// except to localhost: the test IdP is
      // http://127.0.0.1. An https issuer needs no such setting.
      AUTHLIB_INSECURE_TRANSPORT: '1',
    });
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
  });

  afterAll(async () => {
    await browser?.close();
    if (rp && rp.exitCode === null) {
      const exited = new Promise((resolve) => rp.once('exit', resolve));
      rp.kill('SIGTERM');
      await exited;
    }
    await idp?.close();
  });

  it('signs in through the login page and reads the claims of the ID token and userinfo', async () => {
    await page.goto(`${origin}/login`);
    await submitLoginPage(page);

    expect(page.url()).toMatch(new RegExp(`^${origin}/callback\\?`));
    const result = await pageJson<{ claims: object; userinfo: object }>(page);
    expect(result).toEqual({
      claims: expect.objectContaining({
        iss: idp.issuer,
        sub: idp.user.id,
        aud: registered.client.client_id,
        nonce: expect.any(String),
        name: USER.name,
        email: USER.email,
      }),
      userinfo: expect.objectContaining({
        sub: idp.user.id,
        name: USER.name,
        email: USER.email,
        email_verified: true,
      }),
    });
    await page.goto(`${origin}/me`);
    expect(await pageJson(page)).toEqual({ signedIn: true });
  });

  it('refreshes the tokens', async () => {
    await page.goto(`${origin}/refresh`);
    expect(await pageJson(page)).toEqual({ access_token: true });
  });

  // Needs the logout contract (end_session_endpoint, back-channel logout) on the server.
  it('logs out: the browser session ends, prompt=none gets login_required, the back-channel logout token validates', async () => {
    await enableLogout(idp, registered, {
      post_logout_redirect_uris: [`${origin}/logged-out`],
      backchannel_logout_uri: `${origin}/backchannel-logout`,
    });

    await page.goto(`${origin}/logout`);
    expect(page.url()).toMatch(new RegExp(`^${origin}/logged-out\\?`));
    expect(await pageJson(page)).toEqual({ stateMatches: true });

    await page.goto(`${origin}/login?prompt=none`);
    expect(await pageJson(page)).toEqual({ error: 'login_required' });

    let log: { received: Record<string, unknown>[]; rejected: string[] } = {
      received: [],
      rejected: [],
    };
    await eventually(async () => {
      log = (await (await fetch(`${origin}/backchannel-log`)).json()) as typeof log;
      return log.received.length > 0 || undefined;
    }, 'the back-channel logout token');
    expect(log.rejected).toEqual([]);
    expect(log.received).toEqual([
      expect.objectContaining({
        iss: idp.issuer,
        aud: registered.client.client_id,
        sub: idp.user.id,
        sid: expect.any(String),
      }),
    ]);
  });

  it('validates logout tokens with authlib.jose: one the issuer did not sign is refused', async () => {
    const res = await fetch(`${origin}/backchannel-logout`, {
      method: 'POST',
      body: new URLSearchParams({
        logout_token: await forgedLogoutToken(idp, registered.client.client_id),
      }),
    });
    expect(res.status).toBe(400);
    const log = (await (await fetch(`${origin}/backchannel-log`)).json()) as {
      rejected: string[];
    };
    expect(log.rejected).toEqual([expect.stringMatching(/signature/)]);
  });
});
