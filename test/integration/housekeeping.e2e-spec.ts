import { randomBytes, randomUUID } from 'node:crypto';

import { Database, HousekeepingRepository, longestLimitWindowSeconds } from '@app/persistence';

import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { adminCreateClient, adminCreateUser, basic, postForm } from '../setup/oauth';
import { startTestServer, TestServer } from '../setup/test-server';

describe(HousekeepingRepository.name, () => {
  let db: TestDatabase;
  let server: TestServer;
  let sut: HousekeepingRepository;
  let database: Database;
  let refreshing: string;
  let plain: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({
      databaseUrl: db.url,
      env: { REFRESH_TOKEN_TTL_SECONDS: '86400' },
    });
    sut = server.app.get(HousekeepingRepository);
    database = server.app.get(Database);
    const withRefresh = await adminCreateClient(server, {
      grant_types: ['password', 'refresh_token'],
    });
    const withoutRefresh = await adminCreateClient(server, { grant_types: ['password'] });
    refreshing = basic(withRefresh.client_id, withRefresh.client_secret!);
    plain = basic(withoutRefresh.client_id, withoutRefresh.client_secret!);
    await adminCreateUser(server, { username: 'gina', password: 'ginas long password' });
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  const login = async (auth: string) =>
    (
      await postForm(
        server,
        '/oauth2/token',
        { grant_type: 'password', username: 'gina', password: 'ginas long password' },
        auth,
      )
    ).body;
  const count = async (table: string) =>
    (await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;
  const purge = () =>
    sut.purgeExpired(
      server.clock.now(),
      server.config.tokens.accessTokenTtlSeconds,
      longestLimitWindowSeconds(server.config),
    );

  it('keeps everything a live token still needs, and removes what has expired', async () => {
    const withRefresh = await login(refreshing);
    const withoutRefresh = await login(plain);
    await postForm(server, '/oauth2/revocation', { token: withoutRefresh.access_token }, plain);
    expect(await count('grants')).toBe(2);

    expect(await purge()).toEqual(
      expect.objectContaining({ grants: 0, refresh_tokens: 0, revoked_access_tokens: 0 }),
    );
    expect(
      (
        await postForm(
          server,
          '/oauth2/introspection',
          { token: withRefresh.access_token },
          refreshing,
        )
      ).body.active,
    ).toBe(true);

    // Past the access tokens' lifetime: the grant without refresh tokens and the revocation entry go.
    server.clock.advance(3600 + 61);
    expect(await purge()).toEqual(
      expect.objectContaining({ grants: 1, revoked_access_tokens: 1, refresh_tokens: 0 }),
    );
    const refreshed = await postForm(
      server,
      '/oauth2/token',
      { grant_type: 'refresh_token', refresh_token: withRefresh.refresh_token },
      refreshing,
    );
    expect(refreshed.status).toBe(200);

    // Past the refresh tokens' lifetime and the last access token's: the rest goes.
    server.clock.advance(86400 + 3600 + 61);
    expect(await purge()).toEqual(expect.objectContaining({ grants: 1, refresh_tokens: 2 }));
    expect(await count('grants')).toBe(0);
    expect(await count('refresh_tokens')).toBe(0);
  });

  it("keeps a spent grant while its browser session lives, for the session's back-channel logout", async () => {
    const [{ id: userId }] = await database.query<{ id: string }>(
      `SELECT id FROM users WHERE username = 'gina'`,
    );
    const [{ client_id: clientId }] = await database.query<{ client_id: string }>(
      `SELECT client_id FROM clients LIMIT 1`,
    );
    const sid = randomUUID();
    const now = server.clock.now();
    const old = new Date(now.getTime() - (server.config.tokens.accessTokenTtlSeconds + 120) * 1000);
    await database.query(
      `INSERT INTO login_sessions (id_hash, user_id, auth_time, created_at, expires_at, sid)
       VALUES ($1, $2, $3, $3, $4, $5)`,
      [randomBytes(32), userId, old, new Date(now.getTime() + 3600_000), sid],
    );
    const grant = async (sessionId: string | null) => {
      const id = randomUUID();
      await database.query(
        `INSERT INTO grants (id, client_id, user_id, subject, scope, auth_time, amr, created_at, session_id)
         VALUES ($1, $2, $3, $6, 'openid', $4, '["pwd"]'::jsonb, $4, $5)`,
        [id, clientId, userId, old, sessionId, userId],
      );
      return id;
    };
    const inLiveSession = await grant(sid);
    const inEndedSession = await grant(randomUUID());
    const sessionless = await grant(null);

    await purge();
    const left = async () =>
      (await database.query<{ id: string }>(`SELECT id FROM grants`)).map((r) => r.id);
    expect(await left()).toContain(inLiveSession);
    expect(await left()).not.toContain(inEndedSession);
    expect(await left()).not.toContain(sessionless);

    // Once the session is gone (logged out, or expired and purged), so is the grant.
    await database.query(`DELETE FROM login_sessions WHERE sid = $1`, [sid]);
    await purge();
    expect(await left()).not.toContain(inLiveSession);
  });

  it('forgets rate-limit counters once the longest limit window has passed, not days later', async () => {
    const now = server.clock.now().getTime();
    const window = longestLimitWindowSeconds(server.config);
    await database.query(
      `INSERT INTO rate_limits (bucket, window_start, count) VALUES ('test:old', $1, 3), ('test:live', $2, 3)`,
      [new Date(now - (window + 1) * 1000), new Date(now - (window - 60) * 1000)],
    );

    await purge();

    const left = await database.query<{ bucket: string }>(
      `SELECT bucket FROM rate_limits WHERE bucket LIKE 'test:%' ORDER BY bucket`,
    );
    expect(left).toEqual([{ bucket: 'test:live' }]);
  });
});
