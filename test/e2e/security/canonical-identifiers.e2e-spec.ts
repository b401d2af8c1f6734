import request from 'supertest';

import { authorizationPath, Browser } from '../authorization/browser';
import { admin, adminCreateClient, adminCreateUser, basic, postForm } from '../../setup/oauth';
import { TestDatabase } from '../../setup/test-database';
import { TestServer } from '../../setup/test-server';
import { startDeployment, stopDeployment } from '../../setup/deployment';

const REDIRECT = 'https://app.example.com/cb';
const OTHER_REDIRECT = 'https://app.example.com/other';
const PASSWORD = 'correct horse battery';

/**
 * Identifiers are refused unless spelled the one way this server mints them, before any cache
 * sees them: a client_id in upper case used to prime a second cache entry that no invalidation
 * ever emptied, so a rotated secret, a deleted client and a removed redirect URI kept working.
 */
describe('identifiers in another spelling', () => {
  let db: TestDatabase;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    ({ db, a, b } = await startDeployment());
  });

  afterAll(() => stopDeployment({ db, a, b }));

  const tokenAt = (server: TestServer, clientId: string, secret: string) =>
    postForm(
      server,
      '/oauth2/token',
      { grant_type: 'client_credentials' },
      basic(clientId, secret),
    );

  async function serviceClient() {
    const client = await adminCreateClient(a, {
      grant_types: ['client_credentials'],
      client_name: 'spelled',
    });
    return {
      id: client.client_id,
      secret: client.client_secret!,
      upper: client.client_id.toUpperCase(),
    };
  }

  it('is not the client: invalid_client at the token endpoint', async () => {
    const client = await serviceClient();

    const res = await tokenAt(b, client.upper, client.secret);

    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
    expect((await tokenAt(b, client.id, client.secret)).status).toBe(200);
  });

  it('cannot keep an old secret alive after a rotation on another instance', async () => {
    const client = await serviceClient();
    await tokenAt(b, client.upper, client.secret);
    await tokenAt(b, client.upper, client.secret);

    const rotated = await admin(a).post(`/admin/v1/clients/${client.id}/secret`);

    expect(rotated.status).toBe(200);
    for (const id of [client.id, client.upper])
      expect((await tokenAt(b, id, client.secret)).status).toBe(401);
    expect((await tokenAt(b, client.id, rotated.body.client_secret)).status).toBe(200);
  });

  it('cannot keep a deleted client alive', async () => {
    const client = await serviceClient();
    await tokenAt(b, client.upper, client.secret);

    expect((await admin(a).delete(`/admin/v1/clients/${client.id}`)).status).toBe(204);

    for (const id of [client.id, client.upper])
      expect((await tokenAt(b, id, client.secret)).status).toBe(401);
  });

  it('cannot keep a removed redirect URI alive for a signed-in user', async () => {
    const client = await adminCreateClient(a, {
      client_name: 'web',
      redirect_uris: [REDIRECT, OTHER_REDIRECT],
      grant_types: ['authorization_code'],
    });
    const user = await adminCreateUser(a, { password: PASSWORD });
    const browser = new Browser(b);
    const params = (clientId: string) => ({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: OTHER_REDIRECT,
      scope: 'openid',
    });
    await browser.signIn(params(client.client_id), user.username, PASSWORD);
    await browser.get(authorizationPath(params(client.client_id.toUpperCase())));

    const replaced = await admin(a).put(`/admin/v1/clients/${client.client_id}`, {
      client_name: 'web',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    });

    expect(replaced.status).toBe(200);
    for (const id of [client.client_id, client.client_id.toUpperCase()]) {
      const res = await browser.get(authorizationPath(params(id)));
      expect(res.status).toBe(400);
      expect(res.headers.location).toBeUndefined();
    }
  });

  it('finds no client or user on the admin API', async () => {
    const client = await serviceClient();
    const user = await adminCreateUser(a, { password: PASSWORD });

    expect((await admin(b).get(`/admin/v1/clients/${client.upper}`)).status).toBe(404);
    expect((await admin(b).get(`/admin/v1/users/${user.id.toUpperCase()}`)).status).toBe(404);
    expect((await admin(b).get(`/admin/v1/users/${user.id}`)).status).toBe(200);
  });

  it('never names a user by another spelling of its id in a token', async () => {
    const client = await adminCreateClient(a, { grant_types: ['password'], client_name: 'pw' });
    const user = await adminCreateUser(a, { password: PASSWORD });

    const res = await request(b.http)
      .post('/uas/oauth2/token')
      .type('form')
      .set('Authorization', basic(client.client_id, client.client_secret!))
      .send({ grant_type: 'password', username: user.username.toUpperCase(), password: PASSWORD });

    expect(res.status).toBe(200);
    const payload = JSON.parse(
      Buffer.from(res.body.access_token.split('.')[1], 'base64url').toString('utf8'),
    );
    expect(payload.sub).toBe(user.id);
  });
});
