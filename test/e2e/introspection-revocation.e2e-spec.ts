import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { adminCreateClient, adminCreateUser, basic, postForm } from '../setup/oauth';
import { startTestServer, TestServer } from '../setup/test-server';

describe('introspection (RFC 7662) and revocation (RFC 7009)', () => {
  let db: TestDatabase;
  let server: TestServer;
  let auth: string;
  let otherAuth: string;
  let clientId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
    const client = await adminCreateClient(server, {
      grant_types: ['password', 'refresh_token', 'client_credentials'],
    });
    const other = await adminCreateClient(server, { grant_types: ['client_credentials'] });
    clientId = client.client_id;
    auth = basic(client.client_id, client.client_secret!);
    otherAuth = basic(other.client_id, other.client_secret!);
    await adminCreateUser(server, { username: 'dave', password: 'daves long password' });
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  const login = async () =>
    (
      await postForm(
        server,
        '/oauth2/token',
        {
          grant_type: 'password',
          username: 'dave',
          password: 'daves long password',
          scope: 'openid',
        },
        auth,
      )
    ).body;
  const introspect = (token: string, a = auth, extra: Record<string, string> = {}) =>
    postForm(server, '/oauth2/introspection', { token, ...extra }, a);
  const revoke = (token: string, a = auth, extra: Record<string, string> = {}) =>
    postForm(server, '/oauth2/revocation', { token, ...extra }, a);

  it('describes an active access token to the client it was issued to', async () => {
    const tokens = await login();

    const res = await introspect(tokens.access_token);

    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      active: true,
      scope: 'openid',
      client_id: clientId,
      token_type: 'access_token',
      sub: expect.any(String),
      aud: clientId,
      iss: server.issuer,
      exp: server.clock.nowSeconds() + 3600,
      iat: server.clock.nowSeconds(),
      jti: expect.any(String),
      auth_time: server.clock.nowSeconds(),
      expires_in: 3600,
    });
  });

  it('describes an active refresh token, whatever the token_type_hint says', async () => {
    const tokens = await login();

    const res = await introspect(tokens.refresh_token, auth, { token_type_hint: 'access_token' });

    expect(res.body).toEqual({
      active: true,
      scope: 'openid',
      client_id: clientId,
      token_type: 'refresh_token',
      sub: expect.any(String),
      exp: expect.any(Number),
      iat: server.clock.nowSeconds(),
      expires_in: server.config.tokens.refreshTokenTtlSeconds,
    });
  });

  it('answers active:false to another client, for garbage, and after expiry', async () => {
    const tokens = await login();

    expect((await introspect(tokens.access_token, otherAuth)).body).toEqual({ active: false });
    expect((await introspect(tokens.refresh_token, otherAuth)).body).toEqual({ active: false });
    expect((await introspect('garbage')).body).toEqual({ active: false });
    expect((await introspect('a.b.c')).body).toEqual({ active: false });

    server.clock.advance(3601);
    expect((await introspect(tokens.access_token)).body).toEqual({ active: false });
  });

  it('requires client authentication and a token parameter', async () => {
    const unauthenticated = await postForm(server, '/oauth2/introspection', { token: 'x' });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.body.error).toBe('invalid_client');

    const missing = await postForm(server, '/oauth2/introspection', {}, auth);
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({
      error: 'invalid_request',
      error_description: expect.any(String),
    });
  });

  it('revokes an access token alone: inactive at once, its refresh token still works', async () => {
    const tokens = await login();

    const res = await revoke(tokens.access_token);

    // CONTRACT: 200 with application/json `{}`, which strict clients parse as JSON (RFC 7009 §2.2).
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json(;|$)/);
    expect(res.text).toBe('{}');
    expect(res.headers['cache-control']).toBe('no-store');
    expect((await introspect(tokens.access_token)).body).toEqual({ active: false });
    expect((await introspect(tokens.refresh_token)).body.active).toBe(true);
  });

  it('revokes a refresh token and every access token of its grant', async () => {
    const tokens = await login();

    expect(
      (await revoke(tokens.refresh_token, auth, { token_type_hint: 'refresh_token' })).status,
    ).toBe(200);

    expect((await introspect(tokens.refresh_token)).body).toEqual({ active: false });
    expect((await introspect(tokens.access_token)).body).toEqual({ active: false });
    const refreshed = await postForm(
      server,
      '/oauth2/token',
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      auth,
    );
    expect(refreshed.body.error).toBe('invalid_grant');
  });

  it("answers 200 for unknown tokens and ignores another client's tokens", async () => {
    const tokens = await login();

    const unknown = await revoke('unknown-token');
    expect([unknown.status, unknown.headers['content-type'], unknown.text]).toEqual([
      200,
      expect.stringMatching(/^application\/json(;|$)/),
      '{}',
    ]);
    expect((await revoke(tokens.access_token, otherAuth)).status).toBe(200);
    expect((await revoke(tokens.refresh_token, otherAuth)).status).toBe(200);

    expect((await introspect(tokens.access_token)).body.active).toBe(true);
    expect((await introspect(tokens.refresh_token)).body.active).toBe(true);
  });

  it('describes a client_credentials token', async () => {
    const cc = (await postForm(server, '/oauth2/token', { grant_type: 'client_credentials' }, auth))
      .body;

    const res = await introspect(cc.access_token);

    expect(res.body).toEqual(
      expect.objectContaining({
        active: true,
        sub: clientId,
        client_id: clientId,
        token_type: 'access_token',
      }),
    );
  });
});
