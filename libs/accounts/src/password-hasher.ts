import { availableParallelism } from 'node:os';

import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';

import { randomToken } from '@app/crypto';
import { OAuthError } from '@app/errors';

/** OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1. */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/**
 * Password checks allowed to wait for a core, server-wide. Beyond this the server sheds the
 * work at once (503 with Retry-After) instead of queueing it without limit: each waiting check
 * would only add its wait to every check behind it.
 */
export const MAX_WAITING_HASHES = 256;

/** Who a hash is computed for: the client address key of a sign-in, or `admin`. */
export type HashQueueKey = string;

/**
 * argon2id hashing of user passwords, at most one hash per core at a time (each holds 19 MiB,
 * and hashes beyond the core count only wait for CPU while their memory counts against the
 * process). Waiting hashes are served round-robin by client address, so a flood from a few
 * addresses delays a sign-in from another address by one hash per flooding address, not by
 * the length of the flood.
 */
@Injectable()
export class PasswordHasher {
  private dummyHash: Promise<string> | null = null;
  private readonly slots = new FairSlots(availableParallelism(), MAX_WAITING_HASHES);

  hash(password: string, key: HashQueueKey = 'admin'): Promise<string> {
    return this.slots.run(key, () => argon2.hash(password, ARGON2_OPTIONS));
  }

  /** True when `password` matches `hash`; false (never an exception) for a malformed hash. */
  async verify(hash: string, password: string, key: HashQueueKey): Promise<boolean> {
    return this.slots.run(key, async () => {
      try {
        return await argon2.verify(hash, password);
      } catch {
        return false;
      }
    });
  }

  /**
   * Does the work of one verification against a hash no password matches, so an unknown
   * username (or a throttled one) costs the same time as a wrong password.
   */
  async verifyDummy(password: string, key: HashQueueKey): Promise<false> {
    this.dummyHash ??= this.hash(randomToken());
    await this.verify(await this.dummyHash, password, key);
    return false;
  }
}

/**
 * A counting semaphore whose waiters are served round-robin by key: each key has its own FIFO,
 * and the keys take turns. At most `maxWaiting` tasks wait; more are refused.
 */
export class FairSlots {
  private running = 0;
  private waiting = 0;
  /** Keys in turn order (a Map keeps insertion order); a served key with more waiters goes last. */
  private readonly queues = new Map<string, Array<() => void>>();

  constructor(
    private readonly size: number,
    private readonly maxWaiting: number,
  ) {}

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    if (this.running < this.size) {
      this.running += 1;
    } else {
      if (this.waiting >= this.maxWaiting) {
        throw new OAuthError('temporarily_unavailable', 'The server is busy; try again shortly.', {
          retryAfterSeconds: 1,
          detail: `${this.waiting} password checks waiting`,
        });
      }
      this.waiting += 1;
      await new Promise<void>((resolve) => {
        const queue = this.queues.get(key);
        if (queue) queue.push(resolve);
        else this.queues.set(key, [resolve]);
      });
    }
    try {
      return await task();
    } finally {
      this.handOn();
    }
  }

  /** Gives the finished task's slot to the next key's oldest waiter, or frees it. */
  private handOn(): void {
    const next = this.queues.entries().next();
    if (next.done) {
      this.running -= 1;
      return;
    }
    const [key, queue] = next.value;
    const resolve = queue.shift() as () => void;
    this.queues.delete(key);
    if (queue.length > 0) this.queues.set(key, queue);
    this.waiting -= 1;
    resolve();
  }
}
