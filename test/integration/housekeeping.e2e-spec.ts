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
