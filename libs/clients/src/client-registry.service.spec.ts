import { FixedClock } from '@app/config';
import { generateMasterKey, hashToken, MasterKeyCipher } from '@app/crypto';
import { OAuthError } from '@app/errors';
import {
  ClientRecord,
  ClientRepository,
  DatabaseNotifications,
  NotificationListener,
} from '@app/persistence';

import { mockOf } from '../../../test/mocks';
import { ClientMetadata } from './client';
import { ClientRegistry } from './client-registry.service';

const NOW = new Date('2025-06-01T12:00:00Z');
const CLIENT_ID = '0b7e3c52-55f1-4a0e-8d0c-1f7ad5f1b6a2';
const METADATA: ClientMetadata = {
  redirect_uris: ['https://app.example.com/cb'],
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
};

/** The change channel as the registry sees it: listening or not, and the listener it registered. */
class FakeNotifications {
  listening = true;
  listener: NotificationListener | null = null;
  isListening(): boolean {
    return this.listening;
  }
  subscribe(_channel: string, listener: NotificationListener): () => void {
    this.listener = listener;
    return () => undefined;
  }
}

describe(ClientRegistry.name, () => {
  const cipher = new MasterKeyCipher(generateMasterKey());
  let clients: jest.Mocked<ClientRepository>;
  let notifications: FakeNotifications;
  let sut: ClientRegistry;

  function stored(overrides: Partial<ClientRecord> = {}): ClientRecord {
    return {
      clientId: CLIENT_ID,
      metadata: { ...METADATA },
      secretEncrypted: cipher.encrypt('the secret', `client_secret:${CLIENT_ID}`),
      secretHash: hashToken('the secret'),
      clientIdIssuedAt: NOW,
      updatedAt: NOW,
      tokenGeneration: 0,
      ...overrides,
    };
  }

  beforeEach(() => {
    clients = mockOf<ClientRepository>();
    clients.create.mockImplementation(async (c) => ({
      ...c,
      clientIdIssuedAt: c.issuedAt,
      updatedAt: c.issuedAt,
      tokenGeneration: 0,
    }));
    notifications = new FakeNotifications();
    sut = new ClientRegistry(
      clients,
      cipher,
      new FixedClock(NOW),
      notifications as unknown as DatabaseNotifications,
    );
  });

  it('issues a UUID client_id and a 256-bit base64url secret', async () => {
    const { client, secret } = await sut.create(METADATA);

    expect(client.clientId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(client.issuedAt).toEqual(NOW);
  });

  it('stores the secret encrypted to the client_id and its SHA-256, never in plaintext', async () => {
    const { client, secret } = await sut.create(METADATA);
    const row = clients.create.mock.calls[0][0];

    expect(JSON.stringify(row)).not.toContain(secret);
    expect(cipher.decryptString(row.secretEncrypted!, `client_secret:${client.clientId}`)).toBe(
      secret,
    );
    expect(row.secretHash).toEqual(hashToken(secret!));
  });

  it.each(['none', 'private_key_jwt'] as const)('issues no secret for %s', async (method) => {
    const { client, secret } = await sut.create({
      ...METADATA,
      token_endpoint_auth_method: method,
    });

    expect(secret).toBeNull();
    expect(client.secret).toBeNull();
    expect(clients.create).toHaveBeenCalledWith(
      expect.objectContaining({ secretEncrypted: null, secretHash: null }),
    );
  });

  it('finds a client with its secret decrypted', async () => {
    clients.findById.mockResolvedValue(stored());

    const client = await sut.findById(CLIENT_ID);

    expect(client).toEqual({
      clientId: CLIENT_ID,
      metadata: METADATA,
      issuedAt: NOW,
      secret: 'the secret',
      secretHash: hashToken('the secret'),
      tokenGeneration: 0,
    });
  });

  it('serves a found client from memory while the change channel listens', async () => {
    clients.findById.mockResolvedValueOnce(stored());

    const first = await sut.findById(CLIENT_ID);
    const second = await sut.findById(CLIENT_ID);

    expect(second).toBe(first);
    expect(clients.findById).toHaveBeenCalledTimes(1);
  });

  it('reads the database again once another instance notifies a change of the client', async () => {
    clients.findById.mockResolvedValueOnce(stored()).mockResolvedValueOnce(null);
    await sut.findById(CLIENT_ID);

    notifications.listener!.onNotify(CLIENT_ID);

    expect(await sut.findById(CLIENT_ID)).toBeNull();
  });

  it('forgets every client when the change channel reconnects', async () => {
    clients.findById.mockResolvedValueOnce(stored()).mockResolvedValueOnce(null);
    await sut.findById(CLIENT_ID);

    notifications.listener!.onReset();

    expect(await sut.findById(CLIENT_ID)).toBeNull();
  });

  it('reads the database on every lookup while the change channel is down', async () => {
    notifications.listening = false;
    clients.findById.mockResolvedValueOnce(stored()).mockResolvedValueOnce(null);

    await sut.findById(CLIENT_ID);

    expect(await sut.findById(CLIENT_ID)).toBeNull();
  });

  it('does not cache a lookup that raced a change notification', async () => {
    let answer!: (record: ClientRecord) => void;
    clients.findById
      .mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)))
      .mockResolvedValueOnce(null);
    const racing = sut.findById(CLIENT_ID);

    notifications.listener!.onNotify(CLIENT_ID);
    answer(stored());
    await racing;

    expect(await sut.findById(CLIENT_ID)).toBeNull();
  });

  it('forgets a client it deleted itself', async () => {
    clients.findById.mockResolvedValueOnce(stored()).mockResolvedValueOnce(null);
    clients.delete.mockResolvedValue(true);
    await sut.findById(CLIENT_ID);

    await sut.delete(CLIENT_ID);

    expect(await sut.findById(CLIENT_ID)).toBeNull();
  });

  it('rotates the secret: new envelope and new hash', async () => {
    clients.replaceSecret.mockResolvedValue(true);

    const secret = await sut.rotateSecret(CLIENT_ID);

    const [, columns] = clients.replaceSecret.mock.calls[0];
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(columns.secretHash).toEqual(hashToken(secret!));
    expect(columns.secretHash).not.toEqual(hashToken('the secret'));
  });

  it('refuses to rotate the secret of a public client', async () => {
    clients.replaceSecret.mockResolvedValue(false);
    clients.findById.mockResolvedValue(
      stored({ metadata: { ...METADATA, token_endpoint_auth_method: 'none' } }),
    );

    const error = await sut.rotateSecret(CLIENT_ID).catch((e: unknown) => e);

    expect((error as OAuthError).code).toBe('invalid_request');
  });

  it('answers null when rotating the secret of an unknown client', async () => {
    clients.replaceSecret.mockResolvedValue(false);
    clients.findById.mockResolvedValue(null);

    expect(await sut.rotateSecret(CLIENT_ID)).toBeNull();
  });

  it('keeps the secret when a replacement keeps a secret method', async () => {
    clients.findById.mockResolvedValue(stored());
    clients.replace.mockResolvedValue(stored());

    const result = await sut.replace(CLIENT_ID, { ...METADATA, client_name: 'x' });

    expect(clients.replace).toHaveBeenCalledWith(
      CLIENT_ID,
      { ...METADATA, client_name: 'x' },
      undefined,
      NOW,
    );
    expect(result?.secret).toBeNull();
  });

  it('drops the secret when a replacement moves to a method without one', async () => {
    clients.findById.mockResolvedValue(stored());
    clients.replace.mockResolvedValue(stored({ secretEncrypted: null, secretHash: null }));

    await sut.replace(CLIENT_ID, { ...METADATA, token_endpoint_auth_method: 'none' });

    expect(clients.replace.mock.calls[0][2]).toEqual({ secretEncrypted: null, secretHash: null });
  });

  it('issues a secret, once, when a replacement moves to a secret method', async () => {
    clients.findById.mockResolvedValue(stored({ secretEncrypted: null, secretHash: null }));
    clients.replace.mockImplementation(async (_id, metadata, secret) =>
      stored({ metadata, ...secret }),
    );

    const result = await sut.replace(CLIENT_ID, METADATA);

    expect(result?.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(result?.client.secret).toBe(result?.secret);
  });

  it('pages with an opaque cursor and says when there is no next page', async () => {
    const ids = ['1', '2', '3'].map((d) => `00000000-0000-4000-8000-00000000000${d}`);
    clients.list.mockResolvedValueOnce(
      ids.map((clientId) => ({ clientId, metadata: {}, clientIdIssuedAt: NOW, updatedAt: NOW })),
    );
    clients.list.mockResolvedValueOnce([]);

    const first = await sut.list(2, null);
    const second = await sut.list(2, first.nextCursor);

    expect(first.items.map((c) => c.clientId)).toEqual(ids.slice(0, 2));
    expect(clients.list).toHaveBeenNthCalledWith(2, 3, ids[1]);
    expect(second.nextCursor).toBeNull();
  });

  it('refuses a forged cursor', async () => {
    const forged = Buffer.from(JSON.stringify({ after: "' OR 1=1" })).toString('base64url');

    const error = await sut.list(2, forged).catch((e: unknown) => e);

    expect((error as OAuthError).code).toBe('invalid_request');
  });
});
