import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';

import { admin, adminCreateClient, adminCreateUser, basic, postForm } from '../../setup/oauth';
import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import { startTestServer, TestServer } from '../../setup/test-server';

/**
 * A refresh whose token response fails after the rotation (here: the ID token cannot be encrypted
 * to the client) must leave the presented refresh token live. The client never saw the successor;
 * its retry with the token it holds is a refresh, not a replay that revokes the grant (CONTRACT
 * "Refresh tokens"; RFC 9700 §4.14.2).
 */
describe('a refresh whose response failed', () => {
  let db: TestDatabase;
  let server: TestServer;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const encryptionKey = {
    ...(rsa.publicKey.export({ format: 'jwk' }) as Record<string, unknown>),
    kid: 'rp-enc',
    use: 'enc',
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
    await adminCreateUser(server, { username: 'grace', password: 'graces long password' });
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  /** A port on loopback where nothing listens: fetching the client's JWKS there fails. */
  async function closedPort(): Promise<number> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    return port;
  }

  // Without `scope` the rotation is one batched statement; with it, a transaction that narrows.
  it.each([
    ['the same scope', {}],
    ['a narrowed scope', { scope: 'openid' }],
  ])('leaves the presented token live, and a retry refreshes (%s)', async (_, narrowing) => {
    const client = await adminCreateClient(server, {
      grant_types: ['password', 'refresh_token'],
      jwks: { keys: [encryptionKey] },
      id_token_encrypted_response_alg: 'RSA-OAEP-256',
    });
    const auth = basic(client.client_id, client.client_secret!);
    const signIn = await postForm(
      server,
      '/oauth2/token',
      {
        grant_type: 'password',
        username: 'grace',
        password: 'graces long password',
        scope: 'openid email',
      },
      auth,
    );
    expect(signIn.status).toBe(200);
    const held = signIn.body.refresh_token as string;
    const refresh = () =>
      postForm(
        server,
        '/oauth2/token',
        { grant_type: 'refresh_token', refresh_token: held, ...narrowing },
        auth,
      );

    // The client's keys move to a URL that cannot be fetched: the ID token cannot be encrypted.
    const path = `/admin/v1/clients/${client.client_id}`;
    const registered = (await admin(server).get(path)).body as Record<string, unknown>;
    const { jwks: _inline, ...rest } = registered;
    const moved = await admin(server).put(path, {
      ...rest,
      jwks_uri: `http://127.0.0.1:${await closedPort()}/jwks`,
    });
    expect(moved.status).toBe(200);
    const failed = await refresh();
    expect(failed.body).toEqual({
      error: 'server_error',
      error_description: 'The response could not be encrypted to the client.',
    });

    // The keys are back: the token the client holds still refreshes, and the grant lives.
    expect((await admin(server).put(path, registered)).status).toBe(200);
    const retried = await refresh();
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual(
      expect.objectContaining({ refresh_token: expect.any(String), id_token: expect.any(String) }),
    );
    expect(retried.body.refresh_token).not.toBe(held);
    const next = await postForm(
      server,
      '/oauth2/token',
      { grant_type: 'refresh_token', refresh_token: retried.body.refresh_token as string },
      auth,
    );
    expect(next.status).toBe(200);

    // The held token was spent by the retry: presenting it again is a replay.
    expect((await refresh()).body.error).toBe('invalid_grant');
  });
});
