import { randomBytes } from 'node:crypto';

import { SECRET_METHODS } from '@app/clients';
import { ClientRepository } from '@app/persistence';

import { adminCreateClient } from '../setup/oauth';
import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { startTestServer, TestServer } from '../setup/test-server';

/**
 * A secret rotation decides from the client as it read it; the statement that stores the new
 * secret checks again, on the row, that the auth method still uses one (a replace may have
 * moved the client to another method since).
 */
describe(ClientRepository.name, () => {
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

  const columns = () => ({ secretEncrypted: 'v1.x.y', secretHash: randomBytes(32) });

  it('stores a new secret for a client whose auth method uses one', async () => {
    const { client_id: clientId } = await adminCreateClient(server, {
      grant_types: ['client_credentials'],
    });
    const sut = server.app.get(ClientRepository);
    const secret = columns();

    expect(await sut.replaceSecret(clientId, secret, server.clock.now(), SECRET_METHODS)).toBe(
      true,
    );
    expect((await sut.findById(clientId))?.secretHash).toEqual(secret.secretHash);
  });

  it('stores none for a client that moved to a method without a secret, and leaves it without', async () => {
    const { client_id: clientId } = await adminCreateClient(server, {
      grant_types: ['authorization_code'],
      redirect_uris: ['https://app.example.com/cb'],
      token_endpoint_auth_method: 'none',
    });
    const sut = server.app.get(ClientRepository);

    expect(await sut.replaceSecret(clientId, columns(), server.clock.now(), SECRET_METHODS)).toBe(
      false,
    );
    const stored = await sut.findById(clientId);
    expect({ hash: stored?.secretHash, encrypted: stored?.secretEncrypted }).toEqual({
      hash: null,
      encrypted: null,
    });
  });
});
