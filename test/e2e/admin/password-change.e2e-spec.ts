import request from 'supertest';

import { TestDatabase } from '../../setup/test-database';
import { admin, adminCreateClient, adminCreateUser, basic, postForm } from '../../setup/oauth';
import { TestServer } from '../../setup/test-server';
import { startDeployment, stopDeployment } from '../../setup/deployment';
import { authorizationPath, Browser, redirectParams } from '../authorization/browser';

const REDIRECT = 'https://app.example.com/cb';
const OLD_PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'another long passphrase';

/**
 * CONTRACT §3, RFC 9700 §4.14.2: a password change revokes the user's refresh tokens issued
 * before it, on every instance at once. Here it revokes the user's grants, so the access tokens
 * from them die too, and ends the user's login sessions, so nobody signed in with the old
 * password gets new tokens without signing in again.
 */
describe('admin API: a password change', () => {
  let db: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  let auth: string;
  let clientId: string;

  beforeAll(async () => {
    ({ db, a, b } = await startDeployment());
    const client = await adminCreateClient(a, {
      grant_types: ['password', 'refresh_token', 'authorization_code'],
      response_types: ['code'],
      redirect_uris: [REDIRECT],
    });
    clientId = client.client_id;
    auth = basic(client.client_id, client.client_secret!);
  });

  afterAll(() => stopDeployment({ db, a, b }));

  let users = 0;
  async function newUser(): Promise<{ id: string; username: string }> {
    const username = `user${(users += 1)}`;
    const user = await adminCreateUser(a, { username, password: OLD_PASSWORD });
    return { id: user.id, username };
  }

  const passwordGrant = (server: TestServer, username: string, password: string) =>
    postForm(
      server,
      '/oauth2/token',
      { grant_type: 'password', username, password, scope: 'openid' },
      auth,
    );
  const refresh = (server: TestServer, refreshToken: string) =>
    postForm(
      server,
      '/oauth2/token',
      { grant_type: 'refresh_token', refresh_token: refreshToken },
      auth,
    );
  const introspect = (server: TestServer, token: string) =>
    postForm(server, '/oauth2/introspection', { token }, auth);
  const userinfo = (server: TestServer, accessToken: string) =>
    request(server.http).get('/uas/oauth2/userinfo').set('Authorization', `Bearer ${accessToken}`);

  const expectInvalidGrant = (res: request.Response) => {
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
  };

  it('revokes on the other instance at once the refresh and access tokens issued before it; later ones work', async () => {
    const user = await newUser();
    const before = (await passwordGrant(a, user.username, OLD_PASSWORD)).body;
    const rotated = (await refresh(b, before.refresh_token)).body;
    // Both instances have seen the access tokens alive (and may cache that).
    for (const server of [a, b]) {
      expect((await introspect(server, before.access_token)).body.active).toBe(true);
      expect((await introspect(server, rotated.access_token)).body.active).toBe(true);
      expect((await userinfo(server, rotated.access_token)).status).toBe(200);
    }

    const patched = await admin(a).patch(`/admin/v1/users/${user.id}`, { password: NEW_PASSWORD });

    expect(patched.status).toBe(200);
    expectInvalidGrant(await refresh(b, rotated.refresh_token));
    expect((await introspect(b, rotated.refresh_token)).body).toEqual({ active: false });
    expect((await introspect(b, rotated.access_token)).body).toEqual({ active: false });
    expect((await introspect(b, before.access_token)).body).toEqual({ active: false });
    expect((await userinfo(b, rotated.access_token)).status).toBe(401);
    expectInvalidGrant(await passwordGrant(b, user.username, OLD_PASSWORD));
    const after = await passwordGrant(b, user.username, NEW_PASSWORD);
    expect(after.status).toBe(200);
    const refreshed = await refresh(a, after.body.refresh_token);
    expect(refreshed.status).toBe(200);
    expect((await introspect(a, refreshed.body.access_token)).body.active).toBe(true);
  });

  it("leaves the user's tokens alone when only claims change, and another user's always", async () => {
    const user = await newUser();
    const other = await newUser();
    const mine = (await passwordGrant(a, user.username, OLD_PASSWORD)).body;
    const theirs = (await passwordGrant(a, other.username, OLD_PASSWORD)).body;

    expect((await admin(a).patch(`/admin/v1/users/${user.id}`, { name: 'Renamed' })).status).toBe(
      200,
    );
    expect(
      (await admin(a).patch(`/admin/v1/users/${other.id}`, { password: NEW_PASSWORD })).status,
    ).toBe(200);

    expect((await refresh(b, mine.refresh_token)).status).toBe(200);
    expectInvalidGrant(await refresh(b, theirs.refresh_token));
  });

  it("ends the user's login sessions: the browser must sign in again, with the new password", async () => {
    const user = await newUser();
    const params = {
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: 'st',
    };
    const browser = new Browser(a);
    await browser.signIn(params, user.username, OLD_PASSWORD);
    const again = await browser.get(authorizationPath(params));
    expect(again.status).toBe(302);
    expect(redirectParams(again.headers.location)).toEqual({
      code: expect.any(String),
      state: 'st',
    });

    expect(
      (await admin(a).patch(`/admin/v1/users/${user.id}`, { password: NEW_PASSWORD })).status,
    ).toBe(200);

    const afterChange = await browser.get(authorizationPath(params));
    expect(afterChange.status).toBe(200);
    expect(afterChange.text).toContain('<form');
  });

  it('leaves no code issued before it redeemable', async () => {
    const user = await newUser();
    const params = {
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: 'st',
    };
    const { code } = await new Browser(a).signIn(params, user.username, OLD_PASSWORD);

    expect(
      (await admin(a).patch(`/admin/v1/users/${user.id}`, { password: NEW_PASSWORD })).status,
    ).toBe(200);

    expectInvalidGrant(
      await postForm(
        b,
        '/oauth2/token',
        { grant_type: 'authorization_code', code, redirect_uri: REDIRECT },
        auth,
      ),
    );
  });
});
