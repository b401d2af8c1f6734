import * as oauth from 'oauth4webapi';

import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { adminCreateClient, adminCreateUser } from '../setup/oauth';
import { startTestServer, TestServer } from '../setup/test-server';

/**
 * oauth4webapi (a certified relying-party library) drives discovery, the token endpoint,
 * RFC 9068 access-token validation, userinfo, introspection and revocation.
 */
describe('a relying party built on oauth4webapi', () => {
  let db: TestDatabase;
  let server: TestServer;
  let as: oauth.AuthorizationServer;
  let client: oauth.Client;
  let auth: oauth.ClientAuth;
  let userId: string;
  const insecure = { [oauth.allowInsecureRequests]: true };

  beforeAll(async () => {
    db = await createTestDatabase();
    // The relying party checks iat/exp against the real clock.
    server = await startTestServer({ databaseUrl: db.url });
    const registered = await adminCreateClient(server, {
      grant_types: ['password', 'refresh_token', 'client_credentials'],
    });
    client = { client_id: registered.client_id };
    auth = oauth.ClientSecretBasic(registered.client_secret!);
    userId = (
      await adminCreateUser(server, {
        username: 'rp-user',
        password: 'rp users long password',
        email: 'rp@example.com',
        email_verified: true,
      })
    ).id;
    const issuer = new URL(server.issuer);
    as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }),
    );
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it('discovers the server and gets a client_credentials token that validates as an RFC 9068 access token', async () => {
    const response = await oauth.clientCredentialsGrantRequest(as, client, auth, {}, insecure);
    const tokens = await oauth.processClientCredentialsResponse(as, client, response);

    const claims = await oauth.validateJwtAccessToken(
      as,
      new Request('https://rs.example/api', {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      }),
      client.client_id,
      insecure,
    );

    expect(tokens.token_type).toBe('bearer');
    expect(claims.sub).toBe(client.client_id);
    expect(claims.client_id).toBe(client.client_id);
  });

  it('signs a user in with the password grant, reads userinfo, refreshes, introspects and revokes', async () => {
    const login = await oauth.genericTokenEndpointRequest(
      as,
      client,
      auth,
      'password',
      { username: 'rp-user', password: 'rp users long password', scope: 'openid' },
      insecure,
    );
    const tokens = await oauth.processGenericTokenEndpointResponse(as, client, login);
    expect(oauth.getValidatedIdTokenClaims(tokens)?.sub).toBe(userId);

    const userinfo = await oauth.processUserInfoResponse(
      as,
      client,
      userId,
      await oauth.userInfoRequest(as, client, tokens.access_token, insecure),
    );
    // CONTRACT "Scopes and claims": openid alone releases every claim scope's claims.
    expect(userinfo).toEqual({
      sub: userId,
      email: 'rp@example.com',
      email_verified: true,
      groups: [],
      updated_at: expect.any(Number),
    });

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token!, insecure),
    );
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);

    const active = await oauth.processIntrospectionResponse(
      as,
      client,
      await oauth.introspectionRequest(as, client, auth, refreshed.access_token, insecure),
    );
    expect(active.active).toBe(true);
    expect(active.sub).toBe(userId);

    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, client, auth, refreshed.refresh_token!, insecure),
    );
    const inactive = await oauth.processIntrospectionResponse(
      as,
      client,
      await oauth.introspectionRequest(as, client, auth, refreshed.access_token, insecure),
    );
    expect(inactive.active).toBe(false);
  });
});
