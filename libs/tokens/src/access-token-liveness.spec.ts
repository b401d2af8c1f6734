import { ClientRegistry, RegisteredClient } from '@app/clients';
import { DatabaseNotifications, GrantRepository, NotificationListener } from '@app/persistence';

import { mockOf } from '../../../test/mocks';
import { AccessTokenLiveness } from './access-token-liveness';

const CLIENT = 'c0a80101-0000-4000-8000-000000000001';
const GRANT = 'c0a80101-0000-4000-8000-000000000002';
const JTI = 'jti-1';
const LIVE = { clientExists: true, clientTokenGeneration: 0, grantActive: true, revoked: false };

/** The change channels as the cache sees them: listening or not, and its listeners. */
class FakeNotifications {
  listening = true;
  readonly listeners = new Map<string, NotificationListener>();
  isListening(): boolean {
    return this.listening;
  }
  subscribe(channel: string, listener: NotificationListener): () => void {
    this.listeners.set(channel, listener);
    return () => undefined;
  }
}

describe(AccessTokenLiveness.name, () => {
  let grants: jest.Mocked<GrantRepository>;
  let clients: jest.Mocked<ClientRegistry>;
  let notifications: FakeNotifications;
  let sut: AccessTokenLiveness;

  beforeEach(() => {
    grants = mockOf<GrantRepository>();
    clients = mockOf<ClientRegistry>();
    clients.findById.mockResolvedValue({
      clientId: CLIENT,
      tokenGeneration: 0,
    } as RegisteredClient);
    notifications = new FakeNotifications();
    sut = new AccessTokenLiveness(
      grants,
      clients,
      notifications as unknown as DatabaseNotifications,
    );
  });

  it('asks the database once, then answers from memory', async () => {
    grants.accessTokenState.mockResolvedValue(LIVE);

    expect(await sut.isLive(CLIENT, GRANT, JTI, 0)).toBe(true);
    expect(await sut.isLive(CLIENT, GRANT, JTI, 0)).toBe(true);

    expect(grants.accessTokenState).toHaveBeenCalledTimes(1);
  });

  it('never remembers a dead token', async () => {
    grants.accessTokenState
      .mockResolvedValueOnce({ ...LIVE, revoked: true })
      .mockResolvedValueOnce({ ...LIVE, revoked: true });

    expect(await sut.isLive(CLIENT, GRANT, JTI, 0)).toBe(false);
    expect(await sut.isLive(CLIENT, GRANT, JTI, 0)).toBe(false);
  });

  it.each([
    ['a revoked grant', 'uas_grant_changed', GRANT],
    ['many changed grants', 'uas_grant_changed', '*'],
    ['a revoked jti', 'uas_access_token_revoked', JTI],
  ])('asks the database again after a notification of %s', async (_name, channel, payload) => {
    grants.accessTokenState
      .mockResolvedValueOnce(LIVE)
      .mockResolvedValueOnce({ ...LIVE, grantActive: false });
    await sut.isLive(CLIENT, GRANT, JTI, 0);

    notifications.listeners.get(channel)!.onNotify(payload);

    expect(await sut.isLive(CLIENT, GRANT, JTI, 0)).toBe(false);
  });

  it('asks the database again when the channel reconnected', async () => {
    grants.accessTokenState
      .mockResolvedValueOnce(LIVE)
      .mockResolvedValueOnce({ ...LIVE, revoked: true });
    await sut.isLive(CLIENT, GRANT, JTI, 0);

    notifications.listeners.get('uas_access_token_revoked')!.onReset();

    expect(await sut.isLive(CLIENT, GRANT, JTI, 0)).toBe(false);
  });

  it('asks the database every time while the channel is down', async () => {
    notifications.listening = false;
    grants.accessTokenState
      .mockResolvedValueOnce(LIVE)
      .mockResolvedValueOnce({ ...LIVE, revoked: true });

    await sut.isLive(CLIENT, GRANT, JTI, 0);

    expect(await sut.isLive(CLIENT, GRANT, JTI, 0)).toBe(false);
  });

  it('treats a token whose client is gone as dead even when its jti and grant were live', async () => {
    grants.accessTokenState
      .mockResolvedValueOnce(LIVE)
      .mockResolvedValueOnce({ ...LIVE, clientExists: false });
    await sut.isLive(CLIENT, GRANT, JTI, 0);
    clients.findById.mockResolvedValue(null);

    expect(await sut.isLive(CLIENT, GRANT, JTI, 0)).toBe(false);
  });

  it("treats a token of an older generation than its client's as dead", async () => {
    grants.accessTokenState.mockResolvedValue({ ...LIVE, clientTokenGeneration: 2 });

    expect(await sut.isLive(CLIENT, null, JTI, 1)).toBe(false);
    expect(await sut.isLive(CLIENT, null, JTI, 2)).toBe(true);
  });

  it('answers dead from memory once the cached client moved to a new token generation', async () => {
    grants.accessTokenState.mockResolvedValue(LIVE);
    await sut.isLive(CLIENT, null, JTI, 0);
    clients.findById.mockResolvedValue({
      clientId: CLIENT,
      tokenGeneration: 1,
    } as RegisteredClient);

    expect(await sut.isLive(CLIENT, null, JTI, 0)).toBe(false);
    expect(grants.accessTokenState).toHaveBeenCalledTimes(1);
  });

  it('remembers nothing from a lookup that raced a revocation', async () => {
    let answer!: (state: typeof LIVE) => void;
    grants.accessTokenState
      .mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)))
      .mockResolvedValueOnce({ ...LIVE, revoked: true });
    const racing = sut.isLive(CLIENT, GRANT, JTI, 0);

    notifications.listeners.get('uas_access_token_revoked')!.onNotify(JTI);
    answer(LIVE);
    await racing;

    expect(await sut.isLive(CLIENT, GRANT, JTI, 0)).toBe(false);
  });
});
