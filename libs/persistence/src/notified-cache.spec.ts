import { DatabaseNotifications, NotificationListener } from './database-notifications';
import { NotifiedCache } from './notified-cache';

const ID = 'c0a80101-0000-4000-8000-000000000001';
const OTHER = 'c0a80101-0000-4000-8000-000000000002';

/** The change channel as the cache sees it: listening or not, and its listener. */
class FakeNotifications {
  listening = true;
  listener: NotificationListener | null = null;
  isListening(): boolean {
    return this.listening;
  }
  subscribe(_channel: string, listener: NotificationListener): () => void {
    this.listener = listener;
    return () => (this.listener = null);
  }
}

describe(NotifiedCache.name, () => {
  let notifications: FakeNotifications;
  let cache: NotifiedCache<{ v: number }>;
  let loads: number;
  let value: { v: number } | null;
  const load = () => {
    loads += 1;
    return Promise.resolve(value);
  };

  beforeEach(() => {
    notifications = new FakeNotifications();
    cache = new NotifiedCache(
      notifications as unknown as DatabaseNotifications,
      'uas_user_changed',
      2,
    );
    loads = 0;
    value = { v: 1 };
  });

  it('answers the second lookup from memory', async () => {
    await cache.get(ID, load);

    expect(await cache.get(ID, load)).toEqual({ v: 1 });
    expect(loads).toBe(1);
  });

  it('asks the database again once the id was notified', async () => {
    await cache.get(ID, load);
    value = { v: 2 };

    notifications.listener!.onNotify(ID);

    expect(await cache.get(ID, load)).toEqual({ v: 2 });
    expect(loads).toBe(2);
  });

  it('forgets everything on a notification for many rows and on a reconnect', async () => {
    await cache.get(ID, load);
    notifications.listener!.onNotify('*');
    await cache.get(ID, load);
    notifications.listener!.onReset();
    await cache.get(ID, load);

    expect(loads).toBe(3);
  });

  it('neither serves nor remembers while the listener is down', async () => {
    await cache.get(ID, load);
    notifications.listening = false;

    await cache.get(ID, load);
    await cache.get(OTHER, load);
    notifications.listening = true;
    await cache.get(OTHER, load);

    expect(loads).toBe(4);
  });

  it('remembers nothing from a lookup that raced an invalidation', async () => {
    let release: (v: { v: number }) => void = () => undefined;
    const pending = cache.get(
      ID,
      () => new Promise<{ v: number }>((resolve) => (release = resolve)),
    );
    notifications.listener!.onNotify(ID);
    release({ v: 1 });
    await pending;

    await cache.get(ID, load);

    expect(loads).toBe(1);
  });

  it('remembers no missing row', async () => {
    value = null;
    await cache.get(ID, load);
    await cache.get(ID, load);

    expect(loads).toBe(2);
  });

  it('drops the oldest entry beyond its limit', async () => {
    await cache.get(ID, load);
    await cache.get(OTHER, load);
    await cache.get('c0a80101-0000-4000-8000-000000000003', load);
    await cache.get(ID, load);

    expect(loads).toBe(4);
  });
});
