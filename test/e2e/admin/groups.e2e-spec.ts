import request from 'supertest';

import { admin, adminCreateUser } from '../../setup/oauth';
import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import { startTestServer, TestServer } from '../../setup/test-server';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

/** CONTRACT §4: groups, their members, and a user's groups on the user. */
describe('admin groups', () => {
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

  async function createGroup(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const res = await admin(server).post('/admin/v1/groups', body);
    expect(res.status).toBe(201);
    return res.body;
  }

  it('creates, reads, changes, lists and deletes a group', async () => {
    const created = await createGroup({ name: 'Finance', description: 'Money people' });
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Finance',
      description: 'Money people',
      require_mfa: false,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const id = String(created.id);

    expect((await admin(server).get(`/admin/v1/groups/${id}`)).body).toEqual(created);

    const patched = await admin(server).patch(`/admin/v1/groups/${id}`, {
      require_mfa: true,
      description: null,
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Finance', description: null, require_mfa: true });

    const listed = await admin(server).get('/admin/v1/groups');
    expect(listed.status).toBe(200);
    expect(listed.body.items).toContainEqual(patched.body);
    expect(listed.body).toHaveProperty('next_cursor');

    expect((await admin(server).delete(`/admin/v1/groups/${id}`)).status).toBe(204);
    expect((await admin(server).get(`/admin/v1/groups/${id}`)).status).toBe(404);

    // CONTRACT §5: every admin change is an audit event with its actor.
    const events = await admin(server).get(`/admin/v1/audit-events?subject=${id}`);
    expect(
      (events.body.items as { type: string; actor: string }[]).map((e) => [e.type, e.actor]),
    ).toEqual(
      expect.arrayContaining([
        ['group.created', 'admin_token'],
        ['group.updated', 'admin_token'],
        ['group.deleted', 'admin_token'],
      ]),
    );
    expect((await admin(server).delete(`/admin/v1/groups/${id}`)).status).toBe(404);
  });

  it('pages the list with limit and cursor', async () => {
    for (const name of ['page-a', 'page-b', 'page-c']) await createGroup({ name });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await admin(server).get(
        `/admin/v1/groups?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(1);
      seen.push(...res.body.items.map((g: { name: string }) => g.name));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen.filter((n) => n.startsWith('page-'))).toEqual(['page-a', 'page-b', 'page-c']);
  });

  it('refuses a name taken in any letter case with 409, on create and on rename', async () => {
    await createGroup({ name: 'Admins' });
    const other = await createGroup({ name: 'Operators' });

    const duplicate = await admin(server).post('/admin/v1/groups', { name: 'ADMINS' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error).toBe('conflict');

    const rename = await admin(server).patch(`/admin/v1/groups/${String(other.id)}`, {
      name: 'admins',
    });
    expect(rename.status).toBe(409);
  });

  it('refuses invalid bodies with 400 and the fields, unknown members included', async () => {
    const res = await admin(server).post('/admin/v1/groups', {
      name: ' padded ',
      require_mfa: 'yes',
      colour: 'blue',
    });
    expect(res.status).toBe(400);
    const fields = (res.body.fields as { field: string }[]).map((f) => f.field).sort();
    expect(fields).toEqual(['colour', 'name', 'require_mfa']);

    const group = await createGroup({ name: 'patch-target' });
    const nullName = await admin(server).patch(`/admin/v1/groups/${String(group.id)}`, {
      name: null,
    });
    expect(nullName.status).toBe(400);
  });

  it("adds and removes members; the user's groups show on the user, sorted", async () => {
    const user = await adminCreateUser(server, {
      username: 'member',
      password: 'member password 1',
    });
    const zeta = await createGroup({ name: 'Zeta' });
    const alpha = await createGroup({ name: 'alpha' });

    for (const group of [zeta, alpha]) {
      const put = await admin(server).put(
        `/admin/v1/groups/${String(group.id)}/members/${user.id}`,
        {},
      );
      expect(put.status).toBe(204);
    }
    // Idempotent.
    expect(
      (await admin(server).put(`/admin/v1/groups/${String(zeta.id)}/members/${user.id}`, {}))
        .status,
    ).toBe(204);

    const read = await admin(server).get(`/admin/v1/users/${user.id}`);
    expect(read.body.groups).toEqual(['alpha', 'Zeta']);
    const listed = await admin(server).get('/admin/v1/users?username=MEMBER');
    expect(listed.body.items[0].groups).toEqual(['alpha', 'Zeta']);

    const removed = await admin(server).delete(
      `/admin/v1/groups/${String(zeta.id)}/members/${user.id}`,
    );
    expect(removed.status).toBe(204);
    expect((await admin(server).get(`/admin/v1/users/${user.id}`)).body.groups).toEqual(['alpha']);

    // Deleting the group ends its memberships.
    await admin(server).delete(`/admin/v1/groups/${String(alpha.id)}`);
    expect((await admin(server).get(`/admin/v1/users/${user.id}`)).body.groups).toEqual([]);
  });

  it('answers 404 for an unknown group or user in a membership', async () => {
    const user = await adminCreateUser(server, {
      username: 'lonely',
      password: 'lonely password 1',
    });
    const group = await createGroup({ name: 'Real' });

    for (const path of [
      `/admin/v1/groups/${UNKNOWN_ID}/members/${user.id}`,
      `/admin/v1/groups/${String(group.id)}/members/${UNKNOWN_ID}`,
      `/admin/v1/groups/not-a-uuid/members/${user.id}`,
    ]) {
      expect((await admin(server).put(path, {})).status).toBe(404);
      expect((await admin(server).delete(path)).status).toBe(404);
    }
    expect((await admin(server).get(`/admin/v1/groups/${UNKNOWN_ID}`)).status).toBe(404);
    expect(
      (await admin(server).patch(`/admin/v1/groups/${UNKNOWN_ID}`, { name: 'x' })).status,
    ).toBe(404);
  });

  it('needs groups:write to change groups and admin:read to read them', async () => {
    const key = async (scopes: string[]) => {
      const res = await admin(server).post('/admin/v1/api-keys', { name: 'k', scopes });
      expect(res.status).toBe(201);
      return `Bearer ${String(res.body.key)}`;
    };
    const reader = await key(['admin:read', 'users:write']);
    const writer = await key(['groups:write']);
    const agent = () => request(server.http);

    const refused = await agent()
      .post('/admin/v1/groups')
      .set('Authorization', reader)
      .send({ name: 'by-reader' });
    expect(refused.status).toBe(403);

    const made = await agent()
      .post('/admin/v1/groups')
      .set('Authorization', writer)
      .send({ name: 'by-writer' });
    expect(made.status).toBe(201);

    expect((await agent().get('/admin/v1/groups').set('Authorization', writer)).status).toBe(403);
    expect((await agent().get('/admin/v1/groups').set('Authorization', reader)).status).toBe(200);
    expect(
      (
        await agent()
          .put(`/admin/v1/groups/${String(made.body.id)}/members/${UNKNOWN_ID}`)
          .set('Authorization', reader)
      ).status,
    ).toBe(403);
  });
});
