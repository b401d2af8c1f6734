import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';

import { UserGroups } from '@app/accounts';
import { DatabaseNotifications, GroupRepository } from '@app/persistence';

import { TestDatabase } from '../setup/test-database';
import {
  admin,
  adminCreateClient,
  adminCreateUser,
  basic,
  decodeJwt,
  postForm,
} from '../setup/oauth';
import { TestServer } from '../setup/test-server';
import { startDeployment, stopDeployment } from '../setup/deployment';

/**
 * Each instance caches clients and live tokens in memory; a change made through any instance
 * must take effect on every other at once (CONTRACT §3, §4), including across a lost
 * notification connection.
 */
describe('caches across instances', () => {
  let db: TestDatabase;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    ({ db, a, b } = await startDeployment());
  });

  afterAll(() => stopDeployment({ db, a, b }));

  async function serviceClient() {
    const client = await adminCreateClient(a, {
      grant_types: ['client_credentials'],
      client_name: 'cached',
    });
    const auth = basic(client.client_id, client.client_secret!);
    // Twice on b: the second answer comes from b's cache.
    for (let i = 0; i < 2; i += 1) expect((await tokenAt(b, auth)).status).toBe(200);
    return { client, auth };
  }

  const tokenAt = (server: TestServer, auth: string) =>
    postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, auth);

  it('refuses a client on one instance as soon as another deleted it', async () => {
    const { client, auth } = await serviceClient();

    expect((await admin(a).delete(`/admin/v1/clients/${client.client_id}`)).status).toBe(204);

    const res = await tokenAt(b, auth);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
  });

  it('refuses the old secret on one instance as soon as another rotated it, and takes the new one', async () => {
    const { client, auth } = await serviceClient();

    const rotated = await admin(a).post(`/admin/v1/clients/${client.client_id}/secret`);

    expect(rotated.status).toBe(200);
    expect((await tokenAt(b, auth)).status).toBe(401);
    expect((await tokenAt(b, basic(client.client_id, rotated.body.client_secret))).status).toBe(
      200,
    );
  });

  it('applies replaced metadata on one instance as soon as another stored it', async () => {
    const { client, auth } = await serviceClient();

    const replaced = await admin(a).put(`/admin/v1/clients/${client.client_id}`, {
      client_name: 'cached',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: ['https://app.example.com/cb'],
    });

    expect(replaced.status).toBe(200);
    const res = await tokenAt(b, auth);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'unauthorized_client',
      error_description: expect.any(String),
    });
  });

  describe('live access tokens', () => {
    let refreshing: { client_id: string; client_secret?: string };
    let auth: string;

    beforeAll(async () => {
      refreshing = await adminCreateClient(a, {
        grant_types: ['password', 'refresh_token'],
        client_name: 'user app',
      });
      auth = basic(refreshing.client_id, refreshing.client_secret!);
    });

    async function liveOnB(): Promise<{
      access_token: string;
      refresh_token: string;
      username: string;
    }> {
      const username = `user-${Math.random().toString(36).slice(2)}`;
      await adminCreateUser(a, { username, password: 'a long enough password' });
      const tokens = await postForm(
        a,
        '/oauth2/token',
        { grant_type: 'password', username, password: 'a long enough password', scope: 'openid' },
        auth,
      );
      expect(tokens.status).toBe(200);
      // Twice on b: the second answer comes from b's memory.
      for (let i = 0; i < 2; i += 1)
        expect((await introspectAt(b, tokens.body.access_token)).body.active).toBe(true);
      return { ...tokens.body, username };
    }

    const introspectAt = (server: TestServer, token: string) =>
      postForm(server, '/oauth2/introspection', { token }, auth);

    it('is inactive on one instance as soon as another revoked it', async () => {
      const { access_token } = await liveOnB();

      expect((await postForm(a, '/oauth2/revocation', { token: access_token }, auth)).status).toBe(
        200,
      );

      expect((await introspectAt(b, access_token)).body).toEqual({ active: false });
    });

    it('is inactive on one instance as soon as another revoked its grant through the refresh token', async () => {
      const { access_token, refresh_token } = await liveOnB();

      expect((await postForm(a, '/oauth2/revocation', { token: refresh_token }, auth)).status).toBe(
        200,
      );

      expect((await introspectAt(b, access_token)).body).toEqual({ active: false });
    });

    it('is inactive on one instance as soon as another deleted its user', async () => {
      const { access_token, username } = await liveOnB();
      const users = await admin(a).get(`/admin/v1/users?username=${username}`);
      const id = (users.body.items ?? users.body)[0].id;

      expect((await admin(a).delete(`/admin/v1/users/${id}`)).status).toBe(204);

      expect((await introspectAt(b, access_token)).body).toEqual({ active: false });
      const userinfo = await request(b.http)
        .get('/uas/oauth2/userinfo')
        .set('Authorization', `Bearer ${access_token}`);
      expect(userinfo.status).toBe(401);
    });

    it('is active on one instance as soon as another signed it with a key it rotated in at once', async () => {
      const { username } = await liveOnB();
      const rotated = await admin(a).post('/admin/v1/keys/rotate').send({ activate_in_seconds: 0 });
      expect(rotated.body.status).toBe('active');

      const tokens = await postForm(
        a,
        '/oauth2/token',
        { grant_type: 'password', username, password: 'a long enough password', scope: 'openid' },
        auth,
      );
      expect(decodeJwt(tokens.body.access_token).header.kid).toBe(rotated.body.kid);

      // b loaded its key set a moment ago, before the new key existed.
      expect((await introspectAt(b, tokens.body.access_token)).body).toMatchObject({
        active: true,
      });
      const userinfo = await request(b.http)
        .get('/uas/oauth2/userinfo')
        .set('Authorization', `Bearer ${tokens.body.access_token}`);
      expect(userinfo.status).toBe(200);
    });
  });

  describe('userinfo', () => {
    let auth: string;

    beforeAll(async () => {
      const client = await adminCreateClient(a, {
        grant_types: ['password', 'refresh_token'],
        client_name: 'userinfo app',
      });
      auth = basic(client.client_id, client.client_secret!);
    });

    const userinfoAt = (server: TestServer, token: string) =>
      request(server.http).get('/uas/oauth2/userinfo').set('Authorization', `Bearer ${token}`);

    /** A user with a token whose UserInfo b has answered twice (the second from its memory). */
    async function knownToB(): Promise<{ id: string; accessToken: string; refreshToken: string }> {
      const user = await adminCreateUser(a, { name: 'First Name' });
      const tokens = await postForm(
        a,
        '/oauth2/token',
        {
          grant_type: 'password',
          username: user.username,
          password: user.password,
          scope: 'openid profile',
        },
        auth,
      );
      expect(tokens.status).toBe(200);
      for (let i = 0; i < 2; i += 1) {
        const res = await userinfoAt(b, tokens.body.access_token);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ sub: user.id, name: 'First Name' });
      }
      return {
        id: user.id,
        accessToken: tokens.body.access_token,
        refreshToken: tokens.body.refresh_token,
      };
    }

    it("answers a user's changed claims on one instance as soon as another changed them", async () => {
      const { id, accessToken } = await knownToB();

      const patched = await admin(a).patch(`/admin/v1/users/${id}`, { name: 'Second Name' });

      expect(patched.status).toBe(200);
      const res = await userinfoAt(b, accessToken);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ sub: id, name: 'Second Name' });
    });

    it("puts a user's changed claims in the ID token of a refresh on one instance as soon as another changed them", async () => {
      const { id, refreshToken } = await knownToB();
      const refreshAtB = async (token: string) => {
        const res = await postForm(
          b,
          '/oauth2/token',
          { grant_type: 'refresh_token', refresh_token: token },
          auth,
        );
        expect(res.status).toBe(200);
        return {
          name: decodeJwt(res.body.id_token as string).payload.name,
          next: res.body.refresh_token as string,
        };
      };
      // b remembers the user from UserInfo and from this refresh.
      const first = await refreshAtB(refreshToken);
      expect(first.name).toBe('First Name');

      expect((await admin(a).patch(`/admin/v1/users/${id}`, { name: 'Second Name' })).status).toBe(
        200,
      );

      expect((await refreshAtB(first.next)).name).toBe('Second Name');
    });

    it('drops a removed claim on one instance as soon as another removed it', async () => {
      const { id, accessToken } = await knownToB();

      expect((await admin(a).patch(`/admin/v1/users/${id}`, { name: null })).status).toBe(200);

      const res = await userinfoAt(b, accessToken);
      expect(res.status).toBe(200);
      expect(res.body.sub).toBe(id);
      expect(res.body).not.toHaveProperty('name');
    });

    it('refuses the token on one instance as soon as another deleted its user', async () => {
      const { id, accessToken } = await knownToB();

      expect((await admin(a).delete(`/admin/v1/users/${id}`)).status).toBe(204);

      expect((await userinfoAt(b, accessToken)).status).toBe(401);
    });

    it('refuses the token on one instance as soon as another revoked its grant', async () => {
      const { accessToken, refreshToken } = await knownToB();

      expect((await postForm(a, '/oauth2/revocation', { token: refreshToken }, auth)).status).toBe(
        200,
      );

      expect((await userinfoAt(b, accessToken)).status).toBe(401);
    });

    it("answers a user's changed groups on one instance as soon as another changed them", async () => {
      const user = await adminCreateUser(a, {});
      const group = await admin(a).post('/admin/v1/groups', {
        name: `group-${Math.random().toString(36).slice(2)}`,
      });
      expect(group.status).toBe(201);
      const tokens = await postForm(
        a,
        '/oauth2/token',
        {
          grant_type: 'password',
          username: user.username,
          password: user.password,
          scope: 'openid groups',
        },
        auth,
      );
      expect(tokens.status).toBe(200);
      const groupsAtB = async () => {
        const res = await userinfoAt(b, tokens.body.access_token);
        expect(res.status).toBe(200);
        return res.body.groups as string[];
      };
      // Twice on b: the second answer comes from b's memory.
      expect(await groupsAtB()).toEqual([]);
      expect(await groupsAtB()).toEqual([]);

      const members = `/admin/v1/groups/${group.body.id}/members/${user.id}`;
      expect((await admin(a).put(members, {})).status).toBe(204);
      expect(await groupsAtB()).toEqual([group.body.name]);

      const renamed = `${group.body.name}-renamed`;
      expect(
        (await admin(a).patch(`/admin/v1/groups/${group.body.id}`, { name: renamed })).status,
      ).toBe(200);
      expect(await groupsAtB()).toEqual([renamed]);

      expect((await admin(a).delete(members)).status).toBe(204);
      expect(await groupsAtB()).toEqual([]);
    });

    it('answers claims changed in the database while the notification connection was down', async () => {
      if (!process.env.DATABASE_URL) return; // the embedded engine has no listener, hence no cache
      const { id, accessToken } = await knownToB();
      const control = new Client({ connectionString: db.url });
      await control.connect();
      try {
        await control.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE application_name = 'uas-notifications' AND datname = current_database()`,
        );
        await until(() => !b.app.get(DatabaseNotifications).isListening());
        // Nobody listens: this change notifies no one, and b must not answer from its memory.
        await control.query(
          `UPDATE users SET claims = claims || '{"name": "Changed By Hand"}' WHERE id = $1`,
          [id],
        );

        expect((await userinfoAt(b, accessToken)).body.name).toBe('Changed By Hand');
        await waitForListeners(control, 2);
        expect((await userinfoAt(b, accessToken)).body.name).toBe('Changed By Hand');
      } finally {
        await control.end();
      }
    });
  });

  describe('second factor', () => {
    let auth: string;

    beforeAll(async () => {
      const client = await adminCreateClient(a, {
        grant_types: ['password'],
        client_name: 'mfa policy app',
      });
      auth = basic(client.client_id, client.client_secret!);
    });

    const signInAt = (server: TestServer, user: { username: string; password: string }) =>
      postForm(
        server,
        '/oauth2/token',
        { grant_type: 'password', username: user.username, password: user.password },
        auth,
      );
    const secondFactorRequired = {
      error: 'invalid_grant',
      error_description: expect.stringContaining('second factor'),
    };

    it("asks for a second factor on one instance as soon as another made the user's group require it", async () => {
      const user = await adminCreateUser(a, {});
      const group = await admin(a).post('/admin/v1/groups', {
        name: `mfa-${Math.random().toString(36).slice(2)}`,
      });
      expect(group.status).toBe(201);
      const members = `/admin/v1/groups/${group.body.id}/members/${user.id}`;
      expect((await admin(a).put(members, {})).status).toBe(204);
      await signedInTwiceAtB(user);

      const requireMfa = (on: boolean) =>
        admin(a).patch(`/admin/v1/groups/${group.body.id}`, { require_mfa: on });
      expect((await requireMfa(true)).status).toBe(200);
      let res = await signInAt(b, user);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(secondFactorRequired);

      expect((await admin(a).delete(members)).status).toBe(204);
      expect((await signInAt(b, user)).status).toBe(200);

      expect((await admin(a).put(members, {})).status).toBe(204);
      res = await signInAt(b, user);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(secondFactorRequired);

      expect((await requireMfa(false)).status).toBe(200);
      expect((await signInAt(b, user)).status).toBe(200);
    });

    it("asks on one instance as soon as another created a require_mfa group of a directory group's name", async () => {
      const user = await adminCreateUser(a, {});
      const name = `Night Shift ${Math.random().toString(36).slice(2)}`;
      await linkDirectoryAccount(user.id, name);
      await signedInTwiceAtB(user);

      // The local group of that name, in another spelling, requires a second factor from birth.
      const created = await admin(a).post('/admin/v1/groups', {
        name: name.toUpperCase(),
        require_mfa: true,
      });
      expect(created.status).toBe(201);
      const res = await signInAt(b, user);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(secondFactorRequired);
      expect(await b.app.get(UserGroups).namesOf(user.id)).toEqual([name]);
    });

    it('asks on one instance as soon as a directory account is linked by hand to a user it answered for', async () => {
      const name = `Night Shift ${Math.random().toString(36).slice(2)}`;
      expect((await admin(a).post('/admin/v1/groups', { name, require_mfa: true })).status).toBe(
        201,
      );
      const user = await adminCreateUser(a, {});
      await signedInTwiceAtB(user);

      // SQL by hand waits for no instance: b must hear of it, however soon.
      await linkDirectoryAccount(user.id, name);
      let res = await signInAt(b, user);
      for (let i = 0; i < 100 && res.status === 200; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        res = await signInAt(b, user);
      }
      expect(res.status).toBe(400);
      expect(res.body).toEqual(secondFactorRequired);
    });

    /**
     * Two password sign-ins of `user` at b, both answered with tokens, the second by b's memory
     * of the user's groups when it has one (the embedded engine has no listener: no cache).
     */
    async function signedInTwiceAtB(user: { username: string; password: string }): Promise<void> {
      const reads = jest.spyOn(b.app.get(GroupRepository), 'namesOfUser');
      try {
        for (let i = 0; i < 2; i += 1) expect((await signInAt(b, user)).status).toBe(200);
        expect(reads).toHaveBeenCalledTimes(listening(b) ? 1 : 2);
      } finally {
        reads.mockRestore();
      }
    }

    /**
     * A directory account written by hand: the directory's groups of the user as its last
     * sign-in stored them (no LDAP server is needed for what the policy reads). The user keeps
     * its local password, so it still signs in here.
     */
    async function linkDirectoryAccount(userId: string, group: string): Promise<void> {
      const control = new Client({ connectionString: db.url });
      await control.connect();
      try {
        const directory = await control.query<{ id: string }>(
          `INSERT INTO directories (id, name, url, bind_dn, bind_password_encrypted, user_base_dn,
             user_filter, attributes)
           VALUES (gen_random_uuid(), $1, 'ldap://127.0.0.1:1', 'cn=x', 'x', 'dc=x', '(uid={0})', '{}')
           RETURNING id`,
          [`dir-${userId}`],
        );
        await control.query(
          `INSERT INTO directory_accounts (user_id, directory_id, external_id, dn, groups)
           VALUES ($1, $2, $3, 'uid=x', $4)`,
          [userId, directory.rows[0].id, userId, JSON.stringify([group])],
        );
      } finally {
        await control.end();
      }
    }
  });

  it('refuses a client changed while the notification connection was down', async () => {
    if (!process.env.DATABASE_URL) return; // the embedded engine has no listener, hence no cache
    const { client, auth } = await serviceClient();
    const control = new Client({ connectionString: db.url });
    await control.connect();
    try {
      // Every instance's listener connection dies; the change below may land before they are back.
      await control.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE application_name = 'uas-notifications' AND datname = current_database()`,
      );
      await until(() => !b.app.get(DatabaseNotifications).isListening());
      // Nobody listens: this change notifies no one, and b must not answer from its cache.
      await control.query('DELETE FROM clients WHERE client_id = $1', [client.client_id]);

      expect((await tokenAt(b, auth)).status).toBe(401);
      await waitForListeners(control, 2);
      expect((await tokenAt(b, auth)).status).toBe(401);
    } finally {
      await control.end();
    }
  });

  it('says so when an instance does not confirm a change in time', async () => {
    if (!process.env.DATABASE_URL) return; // the embedded engine has no listener, hence no cache
    // An instance that listens but never answers the barrier (its event loop stuck, say).
    const silent = new Client({ connectionString: db.url, application_name: 'uas-notifications' });
    await silent.connect();
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      await silent.query('LISTEN uas_barrier');
      await a.app.get(DatabaseNotifications).propagate();
      expect(warn).toHaveBeenCalledWith(
        '1 of 3 instances did not confirm a change within 2000 ms; until they hear of it they may answer from their caches',
      );

      // Without it, a and b confirm and nothing is said.
      await silent.end();
      await waitForListenersAtMost(db.url, 2);
      warn.mockClear();
      await a.app.get(DatabaseNotifications).propagate();
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
      await silent.end().catch(() => undefined);
    }
  });
});

async function waitForListenersAtMost(url: string, count: number): Promise<void> {
  const control = new Client({ connectionString: url });
  await control.connect();
  try {
    for (let i = 0; i < 100; i += 1) {
      const { rows } = await control.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'uas-notifications' AND datname = current_database()`,
      );
      if (rows[0].n <= count) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the silent listener did not go away');
  } finally {
    await control.end();
  }
}

const listening = (server: TestServer) => server.app.get(DatabaseNotifications).isListening();

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i += 1)
    await new Promise((resolve) => setTimeout(resolve, 2));
  if (!condition()) throw new Error('condition not reached');
}

async function waitForListeners(control: Client, count: number): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    const { rows } = await control.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'uas-notifications' AND datname = current_database()`,
    );
    if (rows[0].n >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the notification listeners did not reconnect');
}
