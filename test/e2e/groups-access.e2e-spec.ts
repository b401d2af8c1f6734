import request from 'supertest';

import { Browser, authorizationPath, redirectParams } from './authorization/browser';
import {
  admin,
  adminCreateClient,
  adminCreateUser,
  basic,
  decodeJwt,
  postForm,
} from '../setup/oauth';
import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { startTestServer, TestServer } from '../setup/test-server';

const REDIRECT = 'https://app.example.com/cb';
const PASSWORD = 'correct horse battery';

/** CONTRACT "Scopes and claims" (`groups`) and §4 client metadata `allowed_groups`. */
describe('groups: the groups claim and allowed_groups', () => {
  let db: TestDatabase;
  let server: TestServer;
  let member: { id: string };
  let staff: { id: string };

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
    member = await adminCreateUser(server, { username: 'member', password: PASSWORD });
    await adminCreateUser(server, { username: 'outsider', password: PASSWORD });
    const group = await admin(server).post('/admin/v1/groups', { name: 'Staff' });
    staff = group.body;
    const other = await admin(server).post('/admin/v1/groups', { name: 'Other' });
    await admin(server).put(`/admin/v1/groups/${staff.id}/members/${member.id}`, {});
    await admin(server).put(`/admin/v1/groups/${String(other.body.id)}/members/${member.id}`, {});
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  const passwordGrant = (
    client: { client_id: string; client_secret?: string },
    username: string,
    scope = 'openid',
  ) =>
    postForm(
      server,
      '/oauth2/token',
      { grant_type: 'password', username, password: PASSWORD, scope },
      basic(client.client_id, client.client_secret!),
    );

  describe('the groups claim', () => {
    it('releases the group names in the ID token and at userinfo with the groups scope', async () => {
      const client = await adminCreateClient(server, { grant_types: ['password'] });
      const res = await passwordGrant(client, 'member', 'openid groups');
      expect(res.status).toBe(200);
      expect(decodeJwt(res.body.id_token).payload.groups).toEqual(['Other', 'Staff']);

      const info = await request(server.http)
        .get('/uas/oauth2/userinfo')
        .set('Authorization', `Bearer ${String(res.body.access_token)}`);
      expect(info.status).toBe(200);
      expect(info.body.groups).toEqual(['Other', 'Staff']);

      const none = await passwordGrant(client, 'outsider', 'openid groups');
      expect(decodeJwt(none.body.id_token).payload.groups).toEqual([]);
    });

    it('leaves the claim out without the groups scope', async () => {
      const client = await adminCreateClient(server, { grant_types: ['password'] });
      const res = await passwordGrant(client, 'member', 'openid email');
      expect(res.status).toBe(200);
      expect(decodeJwt(res.body.id_token).payload).not.toHaveProperty('groups');
      const info = await request(server.http)
        .get('/uas/oauth2/userinfo')
        .set('Authorization', `Bearer ${String(res.body.access_token)}`);
      expect(info.body).not.toHaveProperty('groups');
    });
  });

  describe('allowed_groups', () => {
    it('is validated and stored on the client', async () => {
      const bad = await admin(server).post('/admin/v1/clients', {
        redirect_uris: [REDIRECT],
        allowed_groups: ['ok', '', 7],
      });
      expect(bad.status).toBe(400);
      const tooMany = await admin(server).post('/admin/v1/clients', {
        redirect_uris: [REDIRECT],
        allowed_groups: Array.from({ length: 101 }, (_, i) => `g${i}`),
      });
      expect(tooMany.status).toBe(400);
      const client = await adminCreateClient(server, {
        redirect_uris: [REDIRECT],
        allowed_groups: ['Staff'],
      });
      const read = await admin(server).get(`/admin/v1/clients/${client.client_id}`);
      expect(read.body.allowed_groups).toEqual(['Staff']);
    });

    it('refuses the password grant to a user in none of the groups, names compared in any case', async () => {
      const client = await adminCreateClient(server, {
        grant_types: ['password'],
        allowed_groups: ['STAFF', 'Nobody'],
      });
      const refused = await passwordGrant(client, 'outsider');
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe('invalid_grant');

      const allowed = await passwordGrant(client, 'member');
      expect(allowed.status).toBe(200);
    });

    it('lets every user in when the list is empty', async () => {
      const client = await adminCreateClient(server, {
        grant_types: ['password'],
        allowed_groups: [],
      });
      expect((await passwordGrant(client, 'outsider')).status).toBe(200);
    });

    it('refuses a refresh after the user left the group, and the grant ends', async () => {
      const user = await adminCreateUser(server, { username: 'leaver', password: PASSWORD });
      await admin(server).put(`/admin/v1/groups/${staff.id}/members/${user.id}`, {});
      const client = await adminCreateClient(server, {
        grant_types: ['password', 'refresh_token'],
        allowed_groups: ['Staff'],
      });
      const auth = basic(client.client_id, client.client_secret!);
      const first = await passwordGrant(client, 'leaver');
      expect(first.status).toBe(200);
      const refreshed = await postForm(
        server,
        '/oauth2/token',
        { grant_type: 'refresh_token', refresh_token: first.body.refresh_token },
        auth,
      );
      expect(refreshed.status).toBe(200);

      await admin(server).delete(`/admin/v1/groups/${staff.id}/members/${user.id}`);
      const refused = await postForm(
        server,
        '/oauth2/token',
        { grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token },
        auth,
      );
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe('invalid_grant');
      const introspected = await postForm(
        server,
        '/oauth2/introspection',
        { token: refreshed.body.access_token },
        auth,
      );
      expect(introspected.body.active).toBe(false);
    });

    describe('at the authorization endpoint', () => {
      let client: { client_id: string; client_secret?: string };
      const params = (extra: Record<string, string> = {}) => ({
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: REDIRECT,
        scope: 'openid groups',
        state: 'st',
        ...extra,
      });

      beforeAll(async () => {
        client = await adminCreateClient(server, {
          redirect_uris: [REDIRECT],
          allowed_groups: ['staff'],
        });
      });

      it('sends access_denied to the redirect URI after a refused user signs in, and starts no session', async () => {
        const browser = new Browser(server);
        const form = await browser.openLoginPage(params());
        const res = await browser.submitLogin(form, 'outsider', PASSWORD);
        expect(res.status).toBe(303);
        expect(res.headers.location.startsWith(`${REDIRECT}?`)).toBe(true);
        expect(redirectParams(res.headers.location)).toEqual({
          error: 'access_denied',
          error_description: expect.any(String),
          state: 'st',
        });
        expect(browser.cookies.has('uas_session')).toBe(false);
        // Not stuck: the next request asks for an account again.
        expect((await browser.get(authorizationPath(params()))).status).toBe(200);
      });

      it('answers form_post requests in their response mode', async () => {
        const browser = new Browser(server);
        const form = await browser.openLoginPage(params({ response_mode: 'form_post' }));
        const res = await browser.submitLogin(form, 'outsider', PASSWORD);
        expect(res.status).toBe(200);
        expect(res.text).toContain(`action="${REDIRECT}"`);
        expect(res.text).toContain('value="access_denied"');
      });

      it('gives a member a code, exchanged for tokens carrying the groups', async () => {
        const browser = new Browser(server);
        const result = await browser.signIn(params(), 'member', PASSWORD);
        expect(result).toEqual({ code: expect.any(String), state: 'st' });
        const tokens = await postForm(
          server,
          '/oauth2/token',
          { grant_type: 'authorization_code', code: result.code, redirect_uri: REDIRECT },
          basic(client.client_id, client.client_secret!),
        );
        expect(tokens.status).toBe(200);
        expect(decodeJwt(tokens.body.id_token).payload.groups).toEqual(['Other', 'Staff']);
      });

      it('refuses the code of a user removed from the group between code and redemption', async () => {
        const user = await adminCreateUser(server, { username: 'brief', password: PASSWORD });
        await admin(server).put(`/admin/v1/groups/${staff.id}/members/${user.id}`, {});
        const result = await new Browser(server).signIn(params(), 'brief', PASSWORD);
        expect(result.code).toEqual(expect.any(String));
        await admin(server).delete(`/admin/v1/groups/${staff.id}/members/${user.id}`);

        const tokens = await postForm(
          server,
          '/oauth2/token',
          { grant_type: 'authorization_code', code: result.code, redirect_uri: REDIRECT },
          basic(client.client_id, client.client_secret!),
        );
        expect(tokens.status).toBe(400);
        expect(tokens.body.error).toBe('invalid_grant');
      });

      it('with the session of a refused user: access_denied for prompt=none, else a page to switch accounts', async () => {
        // Signed in through an unrestricted client first.
        const open = await adminCreateClient(server, { redirect_uris: [REDIRECT] });
        const browser = new Browser(server);
        const first = await browser.signIn(
          { ...params(), client_id: open.client_id },
          'outsider',
          PASSWORD,
        );
        expect(first.code).toEqual(expect.any(String));

        const silent = await browser.get(authorizationPath(params({ prompt: 'none' })));
        expect(silent.status).toBe(302);
        expect(redirectParams(silent.headers.location)).toMatchObject({
          error: 'access_denied',
          state: 'st',
        });

        const page = await browser.get(authorizationPath(params()));
        expect(page.status).toBe(200);
        expect(page.text).toContain('may not use this application');
        expect(page.text).toContain('id="uas-username"');

        // Switching to a member's account goes through.
        const switched = await browser.signIn(params(), 'member', PASSWORD);
        expect(switched).toEqual({ code: expect.any(String), state: 'st' });
      });
    });
  });
});
