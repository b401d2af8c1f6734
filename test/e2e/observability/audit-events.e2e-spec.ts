import request from 'supertest';

import { Database, HousekeepingService } from '@app/persistence';

import { admin, adminCreateClient, adminCreateUser, basic, postForm } from '../../setup/oauth';
import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import { newMasterKey, startTestServer, TestServer } from '../../setup/test-server';
import { totpAt } from '../../setup/totp';
import { Browser, parseForm } from '../authorization/browser';

const REDIRECT = 'https://app.example.com/cb';
const PASSWORD = 'correct horse battery';
/** The address every request of these tests comes from (IPv4, or IPv4-mapped IPv6). */
const LOOPBACK = expect.stringMatching(/127\.0\.0\.1/);

interface AuditEvent {
  id: string;
  time: string;
  type: string;
  actor: string | null;
  subject: string | null;
  client_id: string | null;
  ip: string | null;
  outcome: 'success' | 'failure';
  details: Record<string, unknown>;
}

/** CONTRACT §5: the audit record, each event type after the action that causes it. */
describe('audit events', () => {
  let db: TestDatabase;
  let server: TestServer;
  let client: { client_id: string; client_secret?: string };
  let user: { id: string };

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
    client = await adminCreateClient(server, {
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'password', 'refresh_token'],
    });
    user = await adminCreateUser(server, { username: 'alice', password: PASSWORD });
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  async function events(query: Record<string, string> = {}): Promise<AuditEvent[]> {
    const res = await admin(server).get(
      `/admin/v1/audit-events?${new URLSearchParams(query).toString()}`,
    );
    expect(res.status).toBe(200);
    return res.body.items as AuditEvent[];
  }

  /** An authorization request of the client, as the login page receives it. */
  function codeParams(clientId = client.client_id) {
    return { response_type: 'code', client_id: clientId, redirect_uri: REDIRECT, scope: 'openid' };
  }

  async function latest(type: string): Promise<AuditEvent> {
    const [event] = await events({ type, limit: '1' });
    expect(event).toBeDefined();
    return event;
  }

  function passwordGrant(password: string) {
    return postForm(
      server,
      '/oauth2/token',
      { grant_type: 'password', username: 'alice', password, scope: 'openid' },
      basic(client.client_id, client.client_secret!),
    );
  }

  async function createKey(scopes: string[], name: string): Promise<{ id: string; key: string }> {
    const res = await admin(server).post('/admin/v1/api-keys', { name, scopes });
    expect(res.status).toBe(201);
    return res.body;
  }

  it('records an admin change with the admin token as its actor, and nothing for a refused one', async () => {
    const created = await adminCreateClient(server, { redirect_uris: [REDIRECT] });

    expect(await latest('client.created')).toEqual({
      id: expect.any(String),
      time: expect.any(String),
      type: 'client.created',
      actor: 'admin_token',
      subject: created.client_id,
      client_id: null,
      ip: LOOPBACK,
      outcome: 'success',
      details: {},
    });
    const before = (await events({ type: 'client.created' })).length;
    const refused = await admin(server).post('/admin/v1/clients', { redirect_uris: ['ftp://x'] });
    expect(refused.status).toBe(400);
    expect(await events({ type: 'client.created' })).toHaveLength(before);
  });

  it('names the API key (id and name) that made a change', async () => {
    const { id, key } = await createKey(['users:write'], 'provisioning');

    const res = await request(server.http)
      .post('/admin/v1/users')
      .set('Authorization', `Bearer ${key}`)
      .send({ username: 'bob', password: PASSWORD });
    expect(res.status).toBe(201);

    const event = await latest('user.created');
    expect(event.actor).toBe(`api_key:${id}:provisioning`);
    expect(event.subject).toBe(res.body.id);
    expect(event.ip).toEqual(LOOPBACK);
    expect(JSON.stringify(event)).not.toContain(PASSWORD);
    expect(JSON.stringify(event)).not.toContain(key);
  });

  it('records sign-ins with their outcome and reason class, never the password', async () => {
    expect((await passwordGrant('a wrong password')).status).toBe(400);
    expect((await passwordGrant(PASSWORD)).status).toBe(200);

    const [success, failure] = await events({ type: 'signin', subject: user.id, limit: '2' });
    expect(success).toMatchObject({
      outcome: 'success',
      subject: user.id,
      ip: LOOPBACK,
      details: { method: 'password' },
    });
    expect(failure).toMatchObject({
      outcome: 'failure',
      subject: user.id,
      ip: LOOPBACK,
      details: { method: 'password', reason: 'wrong_password' },
    });
    expect(JSON.stringify([success, failure])).not.toMatch(/wrong password|correct horse/);
  });

  it('records a logout with its session id, and a revocation', async () => {
    const browser = new Browser(server);
    const { code } = await browser.signIn(codeParams(), 'alice', PASSWORD);
    const tokens = (
      await postForm(
        server,
        '/oauth2/token',
        { grant_type: 'authorization_code', code, redirect_uri: REDIRECT },
        basic(client.client_id, client.client_secret!),
      )
    ).body as { id_token: string; access_token: string; refresh_token: string };

    await postForm(
      server,
      '/oauth2/revocation',
      { token: tokens.access_token },
      basic(client.client_id, client.client_secret!),
    );
    expect(await latest('token.revoked')).toMatchObject({
      outcome: 'success',
      subject: user.id,
      client_id: client.client_id,
      ip: LOOPBACK,
      details: { token_type: 'access_token' },
    });

    await browser.get(
      `/uas/oauth2/logout?${new URLSearchParams({ id_token_hint: tokens.id_token }).toString()}`,
    );
    const logout = await latest('logout');
    expect(logout).toMatchObject({
      outcome: 'success',
      subject: user.id,
      actor: null,
      ip: LOOPBACK,
      details: { reason: 'logout' },
    });
    expect(logout.details.sid).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
  });

  it('records a refresh token presented again, and an authorization code presented again', async () => {
    const issued = (await passwordGrant(PASSWORD)).body as { refresh_token: string };
    const refresh = () =>
      postForm(
        server,
        '/oauth2/token',
        { grant_type: 'refresh_token', refresh_token: issued.refresh_token },
        basic(client.client_id, client.client_secret!),
      );
    expect((await refresh()).status).toBe(200);
    expect((await refresh()).status).toBe(400);
    expect(await latest('refresh_token.reuse_detected')).toMatchObject({
      outcome: 'failure',
      client_id: client.client_id,
      ip: LOOPBACK,
    });

    const browser = new Browser(server);
    const { code } = await browser.signIn(codeParams(), 'alice', PASSWORD);
    const redeem = () =>
      postForm(
        server,
        '/oauth2/token',
        { grant_type: 'authorization_code', code, redirect_uri: REDIRECT },
        basic(client.client_id, client.client_secret!),
      );
    expect((await redeem()).status).toBe(200);
    expect((await redeem()).status).toBe(400);
    expect(await latest('authorization_code.replayed')).toMatchObject({
      outcome: 'failure',
      client_id: client.client_id,
      ip: LOOPBACK,
    });
  });

  it("records the session another user's sign-in ends, and an administrator's end of a user's sessions with the admin as actor", async () => {
    const carol = await adminCreateUser(server, { username: 'carol', password: PASSWORD });
    const params = codeParams();
    const browser = new Browser(server);
    await browser.signIn(params, 'alice', PASSWORD);
    await browser.signIn({ ...params, prompt: 'login' }, 'carol', PASSWORD);

    expect(await latest('logout')).toMatchObject({
      outcome: 'success',
      subject: user.id,
      actor: null,
      ip: LOOPBACK,
      details: { reason: 'another_user_signed_in' },
    });

    const ended = await admin(server).delete(`/admin/v1/users/${carol.id}/sessions`);
    expect(ended.status).toBe(204);
    expect(await latest('logout')).toMatchObject({
      outcome: 'success',
      subject: carol.id,
      actor: 'admin_token',
      ip: LOOPBACK,
      details: { reason: 'admin' },
    });
    expect(await latest('user.sessions_ended')).toMatchObject({
      outcome: 'success',
      subject: carol.id,
      actor: 'admin_token',
      ip: LOOPBACK,
    });
  });

  it('records the sessions a password change and a deletion end, with the admin as actor', async () => {
    const erin = await adminCreateUser(server, { username: 'erin', password: PASSWORD });
    const params = codeParams();
    await new Browser(server).signIn(params, 'erin', PASSWORD);

    const changed = await admin(server).patch(`/admin/v1/users/${erin.id}`, {
      password: 'another long password',
    });
    expect(changed.status).toBe(200);
    expect(await latest('logout')).toMatchObject({
      outcome: 'success',
      subject: erin.id,
      actor: 'admin_token',
      ip: LOOPBACK,
      details: { sid: expect.any(String), reason: 'password_changed' },
    });

    await new Browser(server).signIn(params, 'erin', 'another long password');
    expect((await admin(server).delete(`/admin/v1/users/${erin.id}`)).status).toBe(204);
    expect(await latest('logout')).toMatchObject({
      outcome: 'success',
      subject: erin.id,
      actor: 'admin_token',
      ip: LOOPBACK,
      details: { sid: expect.any(String), reason: 'user_deleted' },
    });
    expect(await latest('user.deleted')).toMatchObject({ subject: erin.id, actor: 'admin_token' });
  });

  it('records the second step of a sign-in with its address', async () => {
    const strict = await adminCreateClient(server, {
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code'],
      require_mfa: true,
    });
    const dave = await adminCreateUser(server, { username: 'dave', password: PASSWORD });
    const factor = await admin(server).post(`/admin/v1/users/${dave.id}/factors`, {
      type: 'totp',
    });
    expect(factor.status).toBe(201);
    const browser = new Browser(server);
    const login = await browser.openLoginPage(codeParams(strict.client_id));
    const step = await browser.submitLogin(login, 'dave', PASSWORD);
    expect(step.status).toBe(200);
    const form = parseForm(step.text);

    const passed = await browser.post(form.action, {
      ...form.hidden,
      code: totpAt(factor.body.secret as string, server.clock.now()),
    });

    expect(passed.status).toBe(303);
    expect(await latest('signin')).toMatchObject({
      outcome: 'success',
      subject: dave.id,
      ip: LOOPBACK,
      details: { method: 'totp', step: 'second_factor' },
    });
  });

  it('records a key rotation with its actor', async () => {
    const res = await admin(server).post('/admin/v1/keys/rotate', {});
    expect(res.status).toBe(201);
    expect(await latest('key.rotated')).toMatchObject({
      actor: 'admin_token',
      subject: res.body.kid,
      ip: LOOPBACK,
    });
  });

  it('filters by type, subject, client and time, and pages with a cursor, newest first', async () => {
    const all = await events({ limit: '200' });
    const ids = all.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((x, y) => y - x));

    const page1 = await admin(server).get('/admin/v1/audit-events?limit=2');
    const page2 = await admin(server).get(
      `/admin/v1/audit-events?limit=2&cursor=${page1.body.next_cursor as string}`,
    );
    expect(page2.body.items.map((e: AuditEvent) => e.id)).toEqual(all.slice(2, 4).map((e) => e.id));

    for (const e of await events({ client_id: client.client_id }))
      expect(e.client_id).toBe(client.client_id);
    const future = new Date(Date.now() + 3600_000).toISOString();
    expect(await events({ since: future })).toEqual([]);

    for (const bad of ['since=yesterday', 'cursor=%27%20OR%201%3D1', 'limit=0'])
      expect((await admin(server).get(`/admin/v1/audit-events?${bad}`)).status).toBe(400);
    // Past what the syntax checks see: an id beyond bigint, a leap second, a day February lacks.
    const beyondBigint = Buffer.from('9999999999999999999').toString('base64url');
    for (const [bad, field] of [
      [`cursor=${beyondBigint}`, 'cursor'],
      ['since=2024-12-31T23:59:60Z', 'since'],
      ['since=2024-02-31T00:00:00Z', 'since'],
    ]) {
      const res = await admin(server).get(`/admin/v1/audit-events?${bad}`);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: 'invalid_request',
        error_description: expect.any(String),
        fields: [{ field, problems: [expect.any(String)] }],
      });
    }
    // A leap day that exists is a date like any other.
    expect(
      (await admin(server).get('/admin/v1/audit-events?since=2024-02-29T00:00:00Z')).status,
    ).toBe(200);
  });

  it('says which group a membership changed, which scopes a key got and whom an import made', async () => {
    const group = await admin(server).post('/admin/v1/groups', { name: 'auditors' });
    expect(group.status).toBe(201);
    const member = `/admin/v1/groups/${group.body.id as string}/members/${user.id}`;
    expect((await admin(server).put(member, {})).status).toBe(204);
    expect((await admin(server).delete(member)).status).toBe(204);
    for (const type of ['group.member_added', 'group.member_removed'])
      expect(await latest(type)).toMatchObject({
        subject: user.id,
        actor: 'admin_token',
        details: { group_id: group.body.id },
      });

    const key = await createKey(['users:write', 'admin:read'], 'provisioning');
    const created = await latest('api_key.created');
    expect(created).toMatchObject({
      subject: key.id,
      details: { name: 'provisioning', scopes: ['users:write', 'admin:read'] },
    });
    expect(JSON.stringify(created)).not.toContain(key.key);

    const imported = await admin(server).post('/admin/v1/users/import', {
      users: [{ username: 'imported-audit', password_hash: '$2b$04$' + 'a'.repeat(53) }],
    });
    expect(imported.status).toBe(200);
    expect((await latest('user.imported')).details).toEqual({
      results: [{ username: 'imported-audit', status: 'created' }],
    });
  });

  it('needs audit:read', async () => {
    const { key } = await createKey(['admin:read'], 'reader');
    const res = await request(server.http)
      .get('/admin/v1/audit-events')
      .set('Authorization', `Bearer ${key}`);
    expect(res.status).toBe(403);
    const { key: auditor } = await createKey(['audit:read'], 'auditor');
    const ok = await request(server.http)
      .get('/admin/v1/audit-events')
      .set('Authorization', `Bearer ${auditor}`);
    expect(ok.status).toBe(200);
  });

  it('is append-only: the database refuses to change an event', async () => {
    await expect(
      server.app.get(Database).query(`UPDATE audit_events SET outcome = 'success'`),
    ).rejects.toThrow(/append-only/);
  });

  it('keeps events AUDIT_RETENTION_DAYS, then the housekeeping job purges them', async () => {
    const before = await events({ limit: '1' });
    expect(before).toHaveLength(1);
    server.clock.advance(91 * 24 * 3600);
    try {
      await server.app.get(HousekeepingService).runOnce();
      expect(await events()).toEqual([]);
    } finally {
      server.clock.advance(-91 * 24 * 3600);
    }
  });
});

describe('audit events of token issuance', () => {
  it('are recorded only when AUDIT_TOKEN_EVENTS asks for them', async () => {
    const db = await createTestDatabase();
    const masterKey = newMasterKey();
    const servers: TestServer[] = [];
    try {
      for (const tokenEvents of ['false', 'true']) {
        const server = await startTestServer({
          databaseUrl: db.url,
          masterKey,
          env: { AUDIT_TOKEN_EVENTS: tokenEvents },
        });
        servers.push(server);
        const c = await adminCreateClient(server, { grant_types: ['client_credentials'] });
        const res = await postForm(
          server,
          '/oauth2/token',
          { grant_type: 'client_credentials' },
          basic(c.client_id, c.client_secret!),
        );
        expect(res.status).toBe(200);
        const listed = await admin(server).get(
          `/admin/v1/audit-events?type=token.issued&client_id=${c.client_id}`,
        );
        expect(listed.body.items).toHaveLength(tokenEvents === 'true' ? 1 : 0);
        if (tokenEvents === 'true')
          expect(listed.body.items[0]).toMatchObject({
            outcome: 'success',
            ip: expect.stringMatching(/127\.0\.0\.1/),
            details: { grant_type: 'client_credentials' },
          });
        await server.close();
      }
    } finally {
      for (const s of servers) await s.close().catch(() => undefined);
      await db.drop();
    }
  });
});
