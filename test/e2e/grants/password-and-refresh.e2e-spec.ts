import { jwtVerify } from 'jose';
import request from 'supertest';

import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import {
  admin,
  adminCreateClient,
  adminCreateUser,
  basic,
  decodeJwt,
  postForm,
  serverKeySet,
} from '../../setup/oauth';
import { startTestServer, TestServer } from '../../setup/test-server';

describe('password and refresh_token grants', () => {
  let db: TestDatabase;
  let server: TestServer;
  let client: { client_id: string; client_secret?: string };
  let auth: string;
  let user: { id: string; username: string };

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({
      databaseUrl: db.url,
      env: { LOGIN_MAX_FAILURES: '3', LOGIN_WINDOW_SECONDS: '600' },
    });
    client = await adminCreateClient(server, { grant_types: ['password', 'refresh_token'] });
    auth = basic(client.client_id, client.client_secret!);
    user = await adminCreateUser(server, {
      username: 'alice',
      password: 'correct horse battery',
      email: 'alice@example.com',
      email_verified: true,
      name: 'Alice',
    });
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  const password = (params: Record<string, string>, a = auth) =>
    postForm(
      server,
      '/oauth2/token',
      { grant_type: 'password', username: 'alice', password: 'correct horse battery', ...params },
      a,
    );
  const refresh = (refreshToken: string, params: Record<string, string> = {}, a = auth) =>
    postForm(
      server,
      '/oauth2/token',
      { grant_type: 'refresh_token', refresh_token: refreshToken, ...params },
      a,
    );
  const introspect = (token: string, a = auth) =>
    postForm(server, '/oauth2/introspection', { token }, a);

  async function verifyIdToken(idToken: string) {
    return jwtVerify(idToken, await serverKeySet(server), {
      issuer: server.issuer,
      audience: client.client_id,
      currentDate: server.clock.now(),
    });
  }

  describe('password', () => {
    it('issues access, ID and refresh tokens for the right password', async () => {
      const res = await password({ scope: 'openid' });

      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'openid',
        id_token: expect.any(String),
        refresh_token: expect.any(String),
      });
      expect(res.body.refresh_token.length).toBeGreaterThanOrEqual(22);
      const { payload } = await verifyIdToken(res.body.id_token);
      expect(payload).toEqual({
        iss: server.issuer,
        sub: user.id,
        aud: client.client_id,
        azp: client.client_id,
        exp: server.clock.nowSeconds() + 3600,
        iat: server.clock.nowSeconds(),
        auth_time: server.clock.nowSeconds(),
        amr: ['pwd'],
        acr: 'urn:uas:acr:pwd',
        at_hash: expect.any(String),
        // CONTRACT "Scopes and claims": openid alone releases every claim scope's claims, in
        // the ID token too.
        email: 'alice@example.com',
        email_verified: true,
        name: 'Alice',
        groups: [],
        updated_at: expect.any(Number),
      });
      expect(decodeJwt(res.body.access_token).payload.sub).toBe(user.id);
    });

    it('answers the same invalid_grant for a wrong password and an unknown user', async () => {
      const wrong = await password({ password: 'nope' });
      const unknown = await password({ username: 'mallory' });

      expect(wrong.status).toBe(400);
      expect(wrong.body).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
      expect(unknown.body).toEqual(wrong.body);
    });

    it('requires username and password', async () => {
      const res = await postForm(
        server,
        '/oauth2/token',
        { grant_type: 'password', username: 'alice' },
        auth,
      );

      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_request');
    });

    it('stops checking passwords after LOGIN_MAX_FAILURES failures until the window passes', async () => {
      await adminCreateUser(server, { username: 'bob', password: 'bobs long password' });
      for (let i = 0; i < 3; i += 1) {
        expect((await password({ username: 'bob', password: `wrong-${i}` })).body.error).toBe(
          'invalid_grant',
        );
      }

      const blocked = await password({ username: 'bob', password: 'bobs long password' });
      expect(blocked.status).toBe(400);
      expect(blocked.body.error).toBe('invalid_grant');

      server.clock.advance(601);
      const after = await password({ username: 'bob', password: 'bobs long password' });
      expect(after.status).toBe(200);
    });
  });

  describe('refresh_token', () => {
    it('rotates the refresh token at every use and keeps the subject and auth_time', async () => {
      const first = (await password({ scope: 'openid' })).body;
      server.clock.advance(10);

      const res = await refresh(first.refresh_token);

      expect(res.status).toBe(200);
      expect(res.body.refresh_token).toEqual(expect.any(String));
      expect(res.body.refresh_token).not.toBe(first.refresh_token);
      const { payload } = await verifyIdToken(res.body.id_token);
      expect(payload.sub).toBe(user.id);
      expect(payload.auth_time).toBe(decodeJwt(first.id_token).payload.auth_time);
    });

    it('revokes the whole family when a rotated token is presented again', async () => {
      const first = (await password({ scope: 'openid' })).body;
      const second = (await refresh(first.refresh_token)).body;
      expect((await introspect(second.access_token)).body.active).toBe(true);

      const replay = await refresh(first.refresh_token);

      expect(replay.status).toBe(400);
      expect(replay.body).toEqual({
        error: 'invalid_grant',
        error_description: expect.any(String),
      });
      expect((await refresh(second.refresh_token)).body.error).toBe('invalid_grant');
      expect((await introspect(second.access_token)).body).toEqual({ active: false });
      expect((await introspect(first.access_token)).body).toEqual({ active: false });
    });

    it('lets the access token scope narrow, keeps the refresh token scope, and never widens', async () => {
      const first = (await password({ scope: 'openid userinfo' })).body;

      const narrowed = await refresh(first.refresh_token, { scope: 'userinfo' });
      expect(narrowed.status).toBe(200);
      expect(narrowed.body.scope).toBe('userinfo');
      expect(narrowed.body.id_token).toBeUndefined();

      // RFC 6749 §6: the rotated refresh token carries the original scope.
      const again = await refresh(narrowed.body.refresh_token, { scope: 'openid userinfo' });
      expect(again.status).toBe(200);
      expect(again.body.scope).toBe('openid userinfo');

      const small = (await password({ scope: 'userinfo' })).body;
      const widened = await refresh(small.refresh_token, { scope: 'openid userinfo' });
      expect(widened.status).toBe(400);
      expect(widened.body).toEqual({
        error: 'invalid_scope',
        error_description: expect.any(String),
      });
    });

    it("refuses another client's refresh token, an unknown one and an expired one", async () => {
      const other = await adminCreateClient(server, { grant_types: ['password', 'refresh_token'] });
      const first = (await password({})).body;

      expect(
        (await refresh(first.refresh_token, {}, basic(other.client_id, other.client_secret!))).body
          .error,
      ).toBe('invalid_grant');
      expect((await refresh('not-a-token')).body.error).toBe('invalid_grant');

      server.clock.advance(server.config.tokens.refreshTokenTtlSeconds + 1);
      expect((await refresh(first.refresh_token)).body.error).toBe('invalid_grant');
    });

    it('is not issued to a client without the refresh_token grant', async () => {
      const noRefresh = await adminCreateClient(server, { grant_types: ['password'] });

      const res = await password({}, basic(noRefresh.client_id, noRefresh.client_secret!));

      expect(res.status).toBe(200);
      expect(res.body.refresh_token).toBeUndefined();
    });

    it('ends every token of a deleted user at once', async () => {
      const carol = await adminCreateUser(server, {
        username: 'carol',
        password: 'carols long password',
      });
      const tokens = (
        await password({ username: 'carol', password: 'carols long password', scope: 'openid' })
      ).body;

      expect((await admin(server).delete(`/admin/v1/users/${carol.id}`)).status).toBe(204);

      expect((await introspect(tokens.access_token)).body).toEqual({ active: false });
      expect((await refresh(tokens.refresh_token)).body.error).toBe('invalid_grant');
      const userinfo = await request(server.http)
        .get('/uas/oauth2/userinfo')
        .set('Authorization', `Bearer ${tokens.access_token}`);
      expect(userinfo.status).toBe(401);
    });

    it('ends every token of a deleted client at once', async () => {
      const doomed = await adminCreateClient(server, {
        grant_types: ['password', 'refresh_token'],
      });
      const doomedAuth = basic(doomed.client_id, doomed.client_secret!);
      const tokens = (await password({ scope: 'openid' }, doomedAuth)).body;
      const userinfoBefore = await request(server.http)
        .get('/uas/oauth2/userinfo')
        .set('Authorization', `Bearer ${tokens.access_token}`);
      expect(userinfoBefore.status).toBe(200);

      expect((await admin(server).delete(`/admin/v1/clients/${doomed.client_id}`)).status).toBe(
        204,
      );

      const userinfo = await request(server.http)
        .get('/uas/oauth2/userinfo')
        .set('Authorization', `Bearer ${tokens.access_token}`);
      expect(userinfo.status).toBe(401);
      expect((await introspect(tokens.access_token)).body).toEqual({ active: false });
    });
  });
});
