import { DatabaseNotifications, NotificationChannel } from './database-notifications';

/** The payload a trigger sends instead of ids when one statement changed many rows: forget everything. */
const ALL = '*';

/**
 * Rows remembered per instance by their canonical id, emptied by every instance at once: a
 * trigger sends the id on `channel` inside the changing transaction, and the writer waits for
 * every instance to confirm it (Database.propagateChanges) before it answers. Nothing is served
 * or remembered while the listener is down, a reconnect forgets everything, and a lookup that
 * raced an invalidation (the generation moved) remembers nothing: so it never serves what the
 * database would not. Only rows that exist are remembered; a miss always asks the database.
 */
export class NotifiedCache<V> {
  private readonly entries = new Map<string, V>();
  /** Bumped by every invalidation, so a lookup that raced one remembers nothing. */
  private generation = 0;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly notifications: DatabaseNotifications,
    channel: NotificationChannel,
    private readonly limit: number,
  ) {
    this.unsubscribe = notifications.subscribe(channel, {
      onNotify: (id) => (id === ALL ? this.forgetAll() : this.forget(id)),
      onReset: () => this.forgetAll(),
    });
  }

  /** The row under `id`: from memory when the listener is up and has it, else from `load`. */
  async get(id: string, load: () => Promise<V | null>): Promise<V | null> {
    const listening = this.notifications.isListening();
    if (listening) {
      const hit = this.entries.get(id);
      if (hit !== undefined) return hit;
    }
    const generation = this.generation;
    const value = await load();
    if (
      value !== null &&
      listening &&
      this.notifications.isListening() &&
      generation === this.generation
    ) {
      // The oldest entry goes first beyond the limit.
      if (this.entries.size >= this.limit)
        this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(id, value);
    }
    return value;
  }

  /** Stops listening (module shutdown). */
  close(): void {
    this.unsubscribe();
    this.forgetAll();
  }

  private forget(id: string): void {
    this.generation += 1;
    this.entries.delete(id);
  }

  private forgetAll(): void {
    this.generation += 1;
    this.entries.clear();
  }
}
