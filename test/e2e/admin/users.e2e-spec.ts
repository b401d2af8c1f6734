import { Client } from 'pg';

import { PasswordLogin } from '@app/accounts';

import { admin } from '../../factories/admin.factory';
import { createUser } from '../../factories/user.factory';
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

    it('refuses a change of username', async () => {
      const user = await createUser(server);

      const res = await admin(server)
        .patch(`/admin/v1/users/${user.id}`)
        .send({ username: 'someone-else' });

      expect(res.status).toBe(400);
      expect(res.body.fields).toEqual([{ field: 'username', problems: ['is not a known field'] }]);
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
