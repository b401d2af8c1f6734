import request from 'supertest';

import { admin, adminCreateClient, adminCreateUser, basic, postForm } from '../../setup/oauth';
import { TestDatabase } from '../../setup/test-database';
import { TestServer } from '../../setup/test-server';
import { startDeployment, stopDeployment } from '../../setup/deployment';
import { Browser } from '../authorization/browser';

const REDIRECT = 'https://app.example.com/cb';
const USERNAME = 'revoke-alice';
const PASSWORD = 'a long enough password';
const INVALID_GRANT = { error: 'invalid_grant', error_description: expect.any(String) };
const INVALID_TOKEN = { error: 'invalid_token', error_description: expect.any(String) };

interface TestClient {
  client_id: string;
  auth: string;
}

/** One client's tokens of every kind. */
interface ClientTokens {
  password: { access_token: string; refresh_token: string };
  code: { access_token: string; refresh_token: string };
  service: { access_token: string };
}

/**
 * CONTRACT §4 `POST /admin/v1/clients/{client_id}/revoke-tokens`: every token issued to the
 * client is inactive at once, on every instance of the deployment; the client stays, and tokens
 * issued afterwards work.
 */
describe('admin: revoke every token of a client', () => {
  let db: TestDatabase;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    ({ db, a, b } = await startDeployment());
    await adminCreateUser(a, { username: USERNAME, password: PASSWORD });
  });

  afterAll(() => stopDeployment({ db, a, b }));

  async function createTestClient(): Promise<TestClient> {
    const client = await adminCreateClient(a, {
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'password', 'refresh_token', 'client_credentials'],
    });
    return { client_id: client.client_id, auth: basic(client.client_id, client.client_secret!) };
  }

  const tokenAt = (server: TestServer, client: TestClient, params: Record<string, string>) =>
    postForm(server, '/oauth2/token', params, client.auth);

  async function passwordTokens(server: TestServer, client: TestClient) {
    const res = await tokenAt(server, client, {
      grant_type: 'password',
      username: USERNAME,
      password: PASSWORD,
      scope: 'openid',
    });
    expect(res.status).toBe(200);
    return res.body as { access_token: string; refresh_token: string };
  }

  async function serviceToken(server: TestServer, client: TestClient) {
    const res = await tokenAt(server, client, { grant_type: 'client_credentials' });
    expect(res.status).toBe(200);
    return res.body as { access_token: string };
  }

  /** A code from a browser signed in on `server`. */
  async function code(server: TestServer, client: TestClient): Promise<string> {
    const params = {
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: 'st',
    };
    const signedIn = await new Browser(server).signIn(params, USERNAME, PASSWORD);
    expect(signedIn.code).toEqual(expect.any(String));
    return signedIn.code;
  }

  async function codeTokens(server: TestServer, client: TestClient) {
    const res = await redeem(server, client, await code(server, client));
    expect(res.status).toBe(200);
    return res.body as { access_token: string; refresh_token: string };
  }

  const redeem = (server: TestServer, client: TestClient, value: string) =>
    tokenAt(server, client, {
      grant_type: 'authorization_code',
      code: value,
      redirect_uri: REDIRECT,
    });

  async function allTokens(client: TestClient): Promise<ClientTokens> {
    return {
      password: await passwordTokens(a, client),
      code: await codeTokens(a, client),
      service: await serviceToken(a, client),
    };
  }

  function accessTokens(tokens: ClientTokens): string[] {
    return [tokens.password.access_token, tokens.code.access_token, tokens.service.access_token];
  }

  function everyToken(tokens: ClientTokens): string[] {
    return [...accessTokens(tokens), tokens.password.refresh_token, tokens.code.refresh_token];
  }

  async function isActive(server: TestServer, client: TestClient, token: string) {
    const res = await postForm(server, '/oauth2/introspection', { token }, client.auth);
    expect(res.status).toBe(200);
    return res.body.active as boolean;
  }

  const userinfo = (server: TestServer, token: string) =>
    request(server.http).get('/uas/oauth2/userinfo').set('Authorization', `Bearer ${token}`);

  const refresh = (server: TestServer, client: TestClient, token: string) =>
    tokenAt(server, client, { grant_type: 'refresh_token', refresh_token: token });

  const revoke = (server: TestServer, clientId: string) =>
    admin(server).post(`/admin/v1/clients/${clientId}/revoke-tokens`);

  it('ends every token of the client on every instance, even where it was cached as live', async () => {
    const client = await createTestClient();
    const tokens = await allTokens(client);
    const pendingCode = await code(a, client);
    // Twice on b: the second answers come from b's memory of live tokens and of the client.
    for (let i = 0; i < 2; i += 1) {
      for (const token of everyToken(tokens)) expect(await isActive(b, client, token)).toBe(true);
      expect((await userinfo(b, tokens.password.access_token)).status).toBe(200);
    }

    const res = await revoke(a, client.client_id);

    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    for (const server of [b, a]) {
      for (const token of everyToken(tokens))
        expect([token, await isActive(server, client, token)]).toEqual([token, false]);
    }
    for (const token of [tokens.password.access_token, tokens.code.access_token]) {
      const denied = await userinfo(b, token);
      expect(denied.status).toBe(401);
      expect(denied.body).toEqual(INVALID_TOKEN);
    }
    for (const token of [tokens.password.refresh_token, tokens.code.refresh_token]) {
      const refused = await refresh(b, client, token);
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual(INVALID_GRANT);
    }
    const redeemed = await redeem(b, client, pendingCode);
    expect(redeemed.status).toBe(400);
    expect(redeemed.body).toEqual(INVALID_GRANT);
  });

  it('keeps the client, whose tokens issued afterwards work on every instance', async () => {
    const client = await createTestClient();
    const before = await serviceToken(b, client);
    expect(await isActive(b, client, before.access_token)).toBe(true);

    expect((await revoke(a, client.client_id)).status).toBe(204);

    expect((await admin(b).get(`/admin/v1/clients/${client.client_id}`)).status).toBe(200);
    const service = await serviceToken(b, client);
    const password = await passwordTokens(b, client);
    for (const server of [a, b]) {
      expect(await isActive(server, client, service.access_token)).toBe(true);
      expect(await isActive(server, client, password.access_token)).toBe(true);
      expect(await isActive(server, client, password.refresh_token)).toBe(true);
      expect(await isActive(server, client, before.access_token)).toBe(false);
    }
    expect((await userinfo(a, password.access_token)).status).toBe(200);
    const refreshed = await refresh(a, client, password.refresh_token);
    expect(refreshed.status).toBe(200);
    expect(await isActive(b, client, refreshed.body.access_token)).toBe(true);
  });

  it('ends, on a second call, the tokens issued after the first', async () => {
    const client = await createTestClient();
    expect((await revoke(a, client.client_id)).status).toBe(204);
    const service = await serviceToken(a, client);
    const password = await passwordTokens(a, client);
    for (let i = 0; i < 2; i += 1) {
      expect(await isActive(b, client, service.access_token)).toBe(true);
      expect(await isActive(b, client, password.access_token)).toBe(true);
    }

    expect((await revoke(b, client.client_id)).status).toBe(204);

    for (const server of [a, b]) {
      expect(await isActive(server, client, service.access_token)).toBe(false);
      expect(await isActive(server, client, password.access_token)).toBe(false);
      expect(await isActive(server, client, password.refresh_token)).toBe(false);
    }
    expect(await isActive(a, client, (await serviceToken(b, client)).access_token)).toBe(true);
  });

  it("leaves another client's tokens alone", async () => {
    const client = await createTestClient();
    const bystander = await createTestClient();
    const theirs = await allTokens(bystander);

    expect((await revoke(a, client.client_id)).status).toBe(204);

    for (const token of everyToken(theirs)) expect(await isActive(b, bystander, token)).toBe(true);
    expect((await userinfo(b, theirs.code.access_token)).status).toBe(200);
    expect((await refresh(b, bystander, theirs.password.refresh_token)).status).toBe(200);
  });

  it('answers 404 for an unknown client', async () => {
    for (const clientId of ['00000000-0000-4000-8000-000000000000', 'not-a-client']) {
      const res = await revoke(a, clientId);

      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: 'not_found', error_description: expect.any(String) });
    }
  });

  it('needs the clients:write scope from an API key, as the OpenAPI document says', async () => {
    const client = await createTestClient();
    const service = await serviceToken(a, client);
    const keyWith = async (scopes: string[]) => {
      const res = await admin(a).post('/admin/v1/api-keys', { name: 'revoker', scopes });
      expect(res.status).toBe(201);
      return res.body.key as string;
    };
    const revokeWith = (key: string) =>
      request(a.http)
        .post(`/admin/v1/clients/${client.client_id}/revoke-tokens`)
        .set('Authorization', `Bearer ${key}`);

    const refused = await revokeWith(await keyWith(['admin:read', 'users:write']));

    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      error: 'insufficient_scope',
      error_description: expect.any(String),
    });
    expect(await isActive(b, client, service.access_token)).toBe(true);
    expect((await revokeWith(await keyWith(['clients:write']))).status).toBe(204);
    expect(await isActive(b, client, service.access_token)).toBe(false);
    const openapi = await request(a.http).get('/admin/v1/openapi.json');
    expect(
      openapi.body.paths['/admin/v1/clients/{client_id}/revoke-tokens'].post['x-required-scope'],
    ).toBe('clients:write');
  });
});
