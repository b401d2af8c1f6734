import { Client } from 'pg';
import request from 'supertest';

import { PasswordLogin } from '@app/accounts';

import { admin } from '../../factories/admin.factory';
import { basicAuth, createClient } from '../../factories/client.factory';
import { createUser } from '../../factories/user.factory';
import { decodeJwt } from '../../setup/oauth';
import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import { startTestServer, TestServer } from '../../setup/test-server';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const UNKNOWN_ID = '6d1f3a0e-2c4b-4f7a-9e1d-000000000000';
const NOT_FOUND = { error: 'not_found', error_description: expect.any(String) };
const CLAIMS = {
  email: 'alice@example.com',
  email_verified: true,
  phone_number: '+358401234567',
  phone_number_verified: false,
  name: 'Alice Smith',
  given_name: 'Alice',
  family_name: 'Smith',
};

function invalidRequest(field: string) {
  return {
    error: 'invalid_request',
    error_description: expect.any(String),
    fields: expect.arrayContaining([{ field, problems: expect.any(Array) }]),
  };
}

describe('admin API: users', () => {
  let db: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  async function storedRow(id: string): Promise<Record<string, unknown> | undefined> {
    const pg = new Client({ connectionString: db.url.replace(/[?&]embedded=pglite/, '') });
    await pg.connect();
    try {
      return (
        await pg.query(
          'SELECT username, password_hash, claims::text AS claims FROM users WHERE id = $1',
          [id],
        )
      ).rows[0];
    } finally {
      await pg.end();
    }
  }

  describe('POST /admin/v1/users', () => {
    it('creates a user with its claims, answering its id and never the password', async () => {
      const res = await admin(server)
        .post('/admin/v1/users')
        .send({ username: 'alice', password: 'correct horse battery', ...CLAIMS });

      expect(res.status).toBe(201);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        username: 'alice',
        ...CLAIMS,
        groups: [],
        created_at: server.clock.now().toISOString(),
        updated_at: server.clock.now().toISOString(),
      });
      expect(JSON.stringify(res.body)).not.toContain('correct horse battery');
    });

    it('stores an argon2id hash, not the password', async () => {
      const user = await createUser(server, { password: 'stored as a hash' });

      const row = await storedRow(user.id);

      expect(row?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(JSON.stringify(row)).not.toContain('stored as a hash');
    });

    it('creates a user with no claims at all', async () => {
      const res = await admin(server)
        .post('/admin/v1/users')
        .send({ username: 'bare', password: 'bare password' });

      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual([
        'created_at',
        'groups',
        'id',
        'updated_at',
        'username',
      ]);
    });

    it('answers 409 for a username taken in another letter case', async () => {
      await createUser(server, { username: 'Bob.Jones' });

      const res = await admin(server)
        .post('/admin/v1/users')
        .send({ username: 'bob.JONES', password: 'another password' });

      expect(res.status).toBe(409);
      expect(res.body).toEqual({ error: 'conflict', error_description: expect.any(String) });
    });

    it.each([
      ['7 characters', 'x'.repeat(7)],
      ['129 characters', 'x'.repeat(129)],
      ['the username in another case', 'CAROL.EXAMPLE'],
    ])('refuses a password of %s', async (_, password) => {
      const res = await admin(server)
        .post('/admin/v1/users')
        .send({ username: 'carol.example', password });

      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: 'invalid_request',
        error_description: expect.any(String),
        fields: [{ field: 'password', problems: expect.any(Array) }],
      });
      expect(
        (await admin(server).get('/admin/v1/users?username=carol.example')).body.items,
      ).toEqual([]);
    });

    it.each([
      ['a missing username', { password: 'long enough' }, 'username'],
      ['a missing password', { username: 'dave' }, 'password'],
      ['a numeric password', { username: 'dave', password: 12345678 }, 'password'],
      [
        'a username with surrounding spaces',
        { username: ' dave ', password: 'long enough' },
        'username',
      ],
      [
        'a username with a control character',
        { username: 'da\u0000ve', password: 'long enough' },
        'username',
      ],
      [
        'email_verified as a string',
        { username: 'dave', password: 'long enough', email_verified: 'yes' },
        'email_verified',
      ],
      [
        'an email that is no address',
        { username: 'dave', password: 'long enough', email: 'not an address' },
        'email',
      ],
      [
        'a phone number with letters',
        { username: 'dave', password: 'long enough', phone_number: 'call me' },
        'phone_number',
      ],
      ['a numeric name', { username: 'dave', password: 'long enough', name: 42 }, 'name'],
    ])('refuses %s', async (_, body, field) => {
      const res = await admin(server).post('/admin/v1/users').send(body);

      expect(res.status).toBe(400);
      expect(res.body).toEqual(invalidRequest(field));
    });

    it('refuses an unknown field instead of ignoring it', async () => {
      const res = await admin(server)
        .post('/admin/v1/users')
        .send({ username: 'erin', password: 'long enough', role: 'admin' });

      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: 'invalid_request',
        error_description: expect.any(String),
        fields: [{ field: 'role', problems: ['is not a known field'] }],
      });
    });

    it('answers malformed JSON with 400 invalid_request', async () => {
      const res = await admin(server)
        .post('/admin/v1/users')
        .set('Content-Type', 'application/json')
        .send('{"username": "x",');

      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
    });

    it('answers a body over 64 KB with 413', async () => {
      const res = await admin(server)
        .post('/admin/v1/users')
        .send({ username: 'frank', password: 'long enough', name: 'x'.repeat(70 * 1024) });

      expect(res.status).toBe(413);
      expect(res.body).toEqual({
        error: 'payload_too_large',
        error_description: expect.any(String),
      });
    });
  });

  describe('GET /admin/v1/users', () => {
    it('finds a user by exact username in any letter case', async () => {
      const user = await createUser(server, { username: 'Grace.Hopper' });
      await createUser(server, { username: 'grace.hopper2' });

      const res = await admin(server).get('/admin/v1/users?username=GRACE.HOPPER');

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        items: [
          {
            id: user.id,
            username: 'Grace.Hopper',
            groups: [],
            created_at: user.created_at,
            updated_at: user.updated_at,
          },
        ],
        next_cursor: null,
      });
    });

    it('matches no prefix', async () => {
      await createUser(server, { username: 'heidi.example' });

      const res = await admin(server).get('/admin/v1/users?username=heidi');

      expect(res.body).toEqual({ items: [], next_cursor: null });
    });

    it('pages through every user with an opaque cursor', async () => {
      for (let i = 0; i < 3; i += 1) await createUser(server);
      const total = (await admin(server).get('/admin/v1/users?limit=200')).body.items.length;

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await admin(server).get(
          `/admin/v1/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        for (const item of res.body.items) {
          expect(item).not.toHaveProperty('password');
          seen.push(item.id);
        }
        cursor = res.body.next_cursor;
      } while (cursor !== null);

      expect(new Set(seen).size).toBe(total);
      expect(total).toBeGreaterThanOrEqual(3);
    });

    it.each(['limit=0', 'limit=201', 'limit=-1', 'cursor=%%%', 'sort=name'])(
      'refuses ?%s with 400',
      async (query) => {
        const res = await admin(server).get(`/admin/v1/users?${query}`);

        expect(res.status).toBe(400);
        expect(res.body.error).toBe('invalid_request');
      },
    );
  });

  describe('GET /admin/v1/users/{id}', () => {
    it('answers the user', async () => {
      const user = await createUser(server, { email: 'ivan@example.com' });

      const res = await admin(server).get(`/admin/v1/users/${user.id}`);

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: user.id,
        username: user.username,
        email: 'ivan@example.com',
        groups: [],
        created_at: user.created_at,
        updated_at: user.updated_at,
      });
    });

    it('answers 404 for an unknown id', async () => {
      const res = await admin(server).get(`/admin/v1/users/${UNKNOWN_ID}`);

      expect(res.status).toBe(404);
      expect(res.body).toEqual(NOT_FOUND);
    });

    it('answers 404, not 500, for an id that is not a UUID', async () => {
      const res = await admin(server).get('/admin/v1/users/alice');

      expect(res.status).toBe(404);
      expect(res.body).toEqual(NOT_FOUND);
    });
  });

  describe('PATCH /admin/v1/users/{id}', () => {
    it('sets, changes and removes claims (null removes)', async () => {
      const user = await createUser(server, { email: 'judy@example.com', name: 'Judy' });
      server.clock.advance(30);

      const res = await admin(server)
        .patch(`/admin/v1/users/${user.id}`)
        .send({ email: null, name: 'Judy Example', phone_number_verified: true });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: user.id,
        username: user.username,
        phone_number_verified: true,
        name: 'Judy Example',
        groups: [],
        created_at: user.created_at,
        updated_at: server.clock.now().toISOString(),
      });
      expect((await admin(server).get(`/admin/v1/users/${user.id}`)).body).toEqual(res.body);
    });

    it('changes the password: the new one logs in, the old one no longer does', async () => {
      const user = await createUser(server, { password: 'the old password' });
      const login = server.app.get(PasswordLogin);

      const res = await admin(server)
        .patch(`/admin/v1/users/${user.id}`)
        .send({ password: 'the new password' });

      expect(res.status).toBe(200);
      expect(res.body).not.toHaveProperty('password');
      expect(
        await login.authenticate(user.username, 'the new password', 'admin-e2e'),
      ).toMatchObject({ id: user.id });
      expect(await login.authenticate(user.username, 'the old password', 'admin-e2e')).toBeNull();
    });

    it('refuses a new password the policy refuses, and keeps the old one', async () => {
      const user = await createUser(server, { password: 'kept password' });

      const res = await admin(server)
        .patch(`/admin/v1/users/${user.id}`)
        .send({ password: user.username.toUpperCase() });

      expect(res.status).toBe(400);
      expect(res.body).toEqual(invalidRequest('password'));
      expect(
        await server.app
          .get(PasswordLogin)
          .authenticate(user.username, 'kept password', 'admin-e2e'),
      ).not.toBeNull();
    });

    it('refuses wrong types', async () => {
      const user = await createUser(server);

      const res = await admin(server)
        .patch(`/admin/v1/users/${user.id}`)
        .send({ email_verified: 1 });

      expect(res.status).toBe(400);
      expect(res.body).toEqual(invalidRequest('email_verified'));
    });

    it('answers 404 for an unknown id', async () => {
      const res = await admin(server).patch(`/admin/v1/users/${UNKNOWN_ID}`).send({ name: 'x' });

      expect(res.status).toBe(404);
      expect(res.body).toEqual(NOT_FOUND);
    });

    it('answers 404 for an unknown id with a new password', async () => {
      const res = await admin(server)
        .patch(`/admin/v1/users/${UNKNOWN_ID}`)
        .send({ password: 'long enough' });

      expect(res.status).toBe(404);
      expect(res.body).toEqual(NOT_FOUND);
    });
  });

  describe('PATCH /admin/v1/users/{id} with a username (rename)', () => {
    let auth: string;

    beforeAll(async () => {
      const client = await createClient(server, { grant_types: ['password'] });
      auth = basicAuth(client);
    });

    const passwordGrant = (username: string, password: string) =>
      request(server.http)
        .post('/uas/oauth2/token')
        .type('form')
        .set('Authorization', auth)
        .send({ grant_type: 'password', username, password, scope: 'openid' });
    const findByUsername = async (username: string) =>
      (await admin(server).get(`/admin/v1/users?username=${encodeURIComponent(username)}`)).body
        .items;
    const rename = (id: string, body: Record<string, unknown>) =>
      admin(server).patch(`/admin/v1/users/${id}`).send(body);

    it('renames: the new name signs in, the old one no longer does, and the rename is recorded', async () => {
      const user = await createUser(server, {
        username: 'Olivia.Old',
        password: 'olivia password',
      });
      server.clock.advance(30);

      const res = await rename(user.id, { username: 'Olivia.New' });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: user.id,
        username: 'Olivia.New',
        groups: [],
        created_at: user.created_at,
        updated_at: server.clock.now().toISOString(),
      });
      expect((await admin(server).get(`/admin/v1/users/${user.id}`)).body).toEqual(res.body);
      // Signed in by the new name in any letter case: the same user, the same sub.
      const signedIn = await passwordGrant('OLIVIA.NEW', 'olivia password');
      expect(signedIn.status).toBe(200);
      expect(decodeJwt(signedIn.body.id_token).payload.sub).toBe(user.id);
      const refused = await passwordGrant('Olivia.Old', 'olivia password');
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe('invalid_grant');
      const events = await admin(server).get(
        `/admin/v1/audit-events?type=user.renamed&subject=${user.id}`,
      );
      expect(events.body.items).toEqual([
        expect.objectContaining({
          type: 'user.renamed',
          outcome: 'success',
          actor: 'admin_token',
          subject: user.id,
          details: { previous_username: 'Olivia.Old', username: 'Olivia.New' },
        }),
      ]);
      expect(JSON.stringify(events.body)).not.toContain('olivia password');
    });

    it('finds the new name with ?username= and no longer the old one', async () => {
      const user = await createUser(server, { username: 'paul.before' });

      await rename(user.id, { username: 'Paul.After' });

      expect(await findByUsername('paul.before')).toEqual([]);
      expect(await findByUsername('PAUL.AFTER')).toEqual([
        expect.objectContaining({ id: user.id, username: 'Paul.After' }),
      ]);
    });

    it('renames a user to another letter case of their own name', async () => {
      const user = await createUser(server, { username: 'peter.case' });

      const res = await rename(user.id, { username: 'Peter.CASE' });

      expect(res.status).toBe(200);
      expect(res.body.username).toBe('Peter.CASE');
      expect(await findByUsername('peter.case')).toEqual([
        expect.objectContaining({ id: user.id, username: 'Peter.CASE' }),
      ]);
      expect((await passwordGrant('peter.case', user.password)).status).toBe(200);
    });

    it('answers 200 and changes nothing of a username that is the same', async () => {
      const user = await createUser(server, { username: 'same.name' });

      const res = await rename(user.id, { username: 'same.name', name: 'Same' });

      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ username: 'same.name', name: 'Same' });
      expect(
        (await admin(server).get(`/admin/v1/audit-events?type=user.renamed&subject=${user.id}`))
          .body.items,
      ).toEqual([]);
    });

    it('answers 409, as create does, for a name another user has in another spelling, and changes nothing', async () => {
      const taken = await createUser(server, { username: 'Quinn.Taken' });
      const user = await createUser(server, {
        username: 'rachel',
        password: 'rachel password',
        name: 'Rachel',
      });
      const before = (await admin(server).get(`/admin/v1/users/${user.id}`)).body;
      server.clock.advance(30);

      // Full-width letters and another case: the same name in canonical form (NFKC, case-folded).
      for (const username of ['quinn.TAKEN', '\uff31uinn.taken']) {
        const res = await rename(user.id, {
          username,
          name: 'Changed',
          password: 'a brand new password',
        });

        expect(res.status).toBe(409);
        expect(res.body).toEqual({ error: 'conflict', error_description: expect.any(String) });
      }
      // All or nothing: neither the name, the claim nor the password changed, for either user.
      expect((await admin(server).get(`/admin/v1/users/${user.id}`)).body).toEqual(before);
      expect((await admin(server).get(`/admin/v1/users/${taken.id}`)).body.username).toBe(
        'Quinn.Taken',
      );
      expect((await passwordGrant('rachel', 'rachel password')).status).toBe(200);
      expect((await passwordGrant('rachel', 'a brand new password')).status).toBe(400);
    });

    it('renames and changes the password and claims in one PATCH', async () => {
      const user = await createUser(server, { username: 'sam.one', password: 'sam old password' });
      server.clock.advance(30);

      const res = await rename(user.id, {
        username: 'Sam.Two',
        password: 'sam new password',
        name: 'Sam Two',
        email: 'sam@example.com',
      });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: user.id,
        username: 'Sam.Two',
        email: 'sam@example.com',
        name: 'Sam Two',
        groups: [],
        created_at: user.created_at,
        updated_at: server.clock.now().toISOString(),
      });
      expect((await admin(server).get(`/admin/v1/users/${user.id}`)).body).toEqual(res.body);
      expect((await passwordGrant('sam.two', 'sam new password')).status).toBe(200);
      expect((await passwordGrant('sam.two', 'sam old password')).status).toBe(400);
      expect((await passwordGrant('sam.one', 'sam new password')).status).toBe(400);
    });

    it('refuses a new password that is the new username', async () => {
      const user = await createUser(server, { username: 'tina' });

      const res = await rename(user.id, {
        username: 'tina.password',
        password: 'TINA.PASSWORD',
      });

      expect(res.status).toBe(400);
      expect(res.body).toEqual(invalidRequest('password'));
      expect((await admin(server).get(`/admin/v1/users/${user.id}`)).body.username).toBe('tina');
    });

    it.each([
      ['surrounding spaces', ' ursula '],
      ['a control character', 'urs\u0000ula'],
      ['nothing', ''],
      ['255 characters', 'u'.repeat(255)],
      ['a number', 42],
      ['null', null],
    ])('refuses a username of %s with 400 on the field, changing nothing', async (_, username) => {
      const user = await createUser(server, { name: 'Ursula' });

      const res = await rename(user.id, { username, name: 'Not Ursula' });

      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: 'invalid_request',
        error_description: expect.any(String),
        fields: [{ field: 'username', problems: expect.any(Array) }],
      });
      expect((await admin(server).get(`/admin/v1/users/${user.id}`)).body).toMatchObject({
        username: user.username,
        name: 'Ursula',
      });
    });

    it('answers 404 for an unknown id', async () => {
      const res = await rename(UNKNOWN_ID, { username: 'nobody.at.all' });

      expect(res.status).toBe(404);
      expect(res.body).toEqual(NOT_FOUND);
    });

    it('refuses to rename a user of a directory (the entry gives the username), changing nothing', async () => {
      const user = await createUser(server, { username: 'victor.dir', name: 'Victor' });
      const unlink = await linkToDirectory(user.id);
      try {
        const res = await rename(user.id, { username: 'victor.local', name: 'Not Victor' });

        expect(res.status).toBe(400);
        expect(res.body).toEqual({
          error: 'invalid_request',
          error_description: expect.any(String),
          fields: [{ field: 'username', problems: [expect.stringContaining('directory')] }],
        });
        expect((await admin(server).get(`/admin/v1/users/${user.id}`)).body).toMatchObject({
          username: 'victor.dir',
          name: 'Victor',
        });
        // The same name is no change: a client may send the user back as it read it.
        const same = await rename(user.id, { username: 'victor.dir', name: 'Victor D' });
        expect(same.status).toBe(200);
        expect(same.body).toMatchObject({ username: 'victor.dir', name: 'Victor D' });
      } finally {
        await unlink();
      }
    });

    /**
     * A directory account written by hand (no LDAP server needed: the link is what counts), of a
     * user who keeps its local password. The answer removes the directory again: any later
     * sign-in with an unknown name would ask it, and its bind password is no ciphertext.
     */
    async function linkToDirectory(userId: string): Promise<() => Promise<void>> {
      const control = () =>
        new Client({ connectionString: db.url.replace(/[?&]embedded=pglite/, '') });
      const pg = control();
      await pg.connect();
      try {
        const directory = await pg.query<{ id: string }>(
          `INSERT INTO directories (id, name, url, bind_dn, bind_password_encrypted, user_base_dn,
             user_filter, attributes)
           VALUES (gen_random_uuid(), $1, 'ldap://127.0.0.1:1', 'cn=x', 'x', 'dc=x', '(uid={username})', '{}')
           RETURNING id`,
          [`dir-${userId}`],
        );
        const directoryId = directory.rows[0].id;
        await pg.query(
          `INSERT INTO directory_accounts (user_id, directory_id, external_id, dn)
           VALUES ($1, $2, $3, 'uid=x')`,
          [userId, directoryId, userId],
        );
        return async () => {
          const cleanup = control();
          await cleanup.connect();
          try {
            await cleanup.query('DELETE FROM directories WHERE id = $1', [directoryId]);
          } finally {
            await cleanup.end();
          }
        };
      } finally {
        await pg.end();
      }
    }
  });

  describe('DELETE /admin/v1/users/{id}', () => {
    it('deletes the user: 204, then 404, and the username is free again', async () => {
      const user = await createUser(server, { username: 'mallory' });

      const res = await admin(server).delete(`/admin/v1/users/${user.id}`);

      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect((await admin(server).get(`/admin/v1/users/${user.id}`)).status).toBe(404);
      expect(
        await server.app.get(PasswordLogin).authenticate('mallory', user.password, 'admin-e2e'),
      ).toBeNull();
      expect(
        (
          await admin(server)
            .post('/admin/v1/users')
            .send({ username: 'mallory', password: 'a new start' })
        ).status,
      ).toBe(201);
    });

    it('answers 404 the second time', async () => {
      const user = await createUser(server);
      await admin(server).delete(`/admin/v1/users/${user.id}`);

      const res = await admin(server).delete(`/admin/v1/users/${user.id}`);

      expect(res.status).toBe(404);
      expect(res.body).toEqual(NOT_FOUND);
    });

    it('answers 404 for an id that is no UUID', async () => {
      const res = await admin(server).delete('/admin/v1/users/not-a-uuid');

      expect(res.status).toBe(404);
      expect(res.body).toEqual(NOT_FOUND);
    });
  });
});
