import { Injectable, OnModuleInit } from '@nestjs/common';
import { hash as argon2Hash, type Algorithm } from '@node-rs/argon2';

import { cpuCores, RESERVED_POOL_THREADS, threadPoolSize } from '@app/config';
import { randomToken } from '@app/crypto';
import { OAuthError } from '@app/errors';

import { needsRehash, verifyStoredHash } from './imported-password-hash';

/**
 * OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1. @node-rs/argon2 (argon2-rust,
 * a Rust port of the reference code) computed it here in under half the CPU that the `argon2`
 * package's build of libargon2 took, with the same PHC strings: hashes written by one verify
 * with the other (README, Performance).
 */
const ARGON2_OPTIONS = {
  // Algorithm.Argon2id: a `const enum`, which a per-file compiler cannot inline.
  algorithm: 2 satisfies Algorithm.Argon2id,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

/**
 * Password checks allowed to wait for a core, server-wide. Beyond this the server sheds work
 * (503 with Retry-After) instead of queueing it without limit: each waiting check would only add
 * its wait to every check behind it. What is shed is the newest check of the address with the
 * most waiting, so a flood from many addresses never turns away a sign-in from a quiet one.
 */
export const MAX_WAITING_HASHES = 256;

/**
 * Hashes computed at once: one per core, but so few that libuv's pool (where the hashes run)
 * keeps RESERVED_POOL_THREADS threads for the token response's signatures; always at least one,
 * so a pool of two threads or fewer is shared.
 */
export function hashSlots(cores: number, poolSize: number): number {
  return Math.max(1, Math.min(cores, poolSize - RESERVED_POOL_THREADS));
}

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
export class PasswordHasher implements OnModuleInit {
  private dummyHash: Promise<string> | null = null;
  private readonly slots = new FairSlots(
    hashSlots(cpuCores(), threadPoolSize()),
    MAX_WAITING_HASHES,
  );

  /** The dummy hash is made at start, outside the queue, so load can never make it fail. */
  async onModuleInit(): Promise<void> {
    await this.dummy();
  }

  hash(password: string, key: HashQueueKey = 'admin'): Promise<string> {
    return this.slots.run(key, () => argon2Hash(password, ARGON2_OPTIONS));
  }

  /**
   * True when `password` matches `hash`; false (never an exception) for a malformed hash. Hashes
   * brought by a user import (bcrypt, PBKDF2, argon2i/d) are checked by their own algorithm.
   */
  verify(hash: string, password: string, key: HashQueueKey): Promise<boolean> {
    return this.slots.run(key, () => verifyStoredHash(hash, password));
  }

  /** Whether `hash` is not the server's own (argon2id at its parameters) and is replaced at sign-in. */
  needsRehash(hash: string): boolean {
    return needsRehash(hash, ARGON2_OPTIONS);
  }

  /**
   * Does the work of one verification against a hash no password matches, so an unknown
   * username (or a throttled one) costs the same time as a wrong password.
   */
  async verifyDummy(password: string, key: HashQueueKey): Promise<false> {
    await this.verify(await this.dummy(), password, key);
    return false;
  }

  /** A hash no password matches; made once, and made again if making it failed. */
  private dummy(): Promise<string> {
    this.dummyHash ??= argon2Hash(randomToken(), ARGON2_OPTIONS).catch((error: unknown) => {
      this.dummyHash = null;
      throw error;
    });
    return this.dummyHash;
  }
}

/**
 * A counting semaphore whose waiters are served round-robin by key: each key has its own FIFO,
 * and the keys take turns. At most `maxWaiting` tasks wait; past that, the newest waiter of the
 * key with the most waiting is refused (the newcomer itself when its key has the most).
 */
export class FairSlots {
  private running = 0;
  private waiting = 0;
  /** Keys in turn order (a Map keeps insertion order); a served key with more waiters goes last. */
  private readonly queues = new Map<string, Waiter[]>();

  constructor(
    private readonly size: number,
    private readonly maxWaiting: number,
  ) {}

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    if (this.running < this.size) {
      this.running += 1;
    } else {
      if (this.waiting >= this.maxWaiting) this.shedFor(key);
      this.waiting += 1;
      await new Promise<void>((resolve, reject) => {
        const queue = this.queues.get(key);
        if (queue) queue.push({ resolve, reject });
        else this.queues.set(key, [{ resolve, reject }]);
      });
    }
    try {
      return await task();
    } finally {
      this.handOn();
    }
  }

  /** Makes room for one waiter of `key`, or refuses it. */
  private shedFor(key: string): void {
    let longest: Waiter[] | null = null;
    let longestKey = key;
    for (const [k, queue] of this.queues) {
      if (!longest || queue.length > longest.length) [longest, longestKey] = [queue, k];
    }
    const own = this.queues.get(key)?.length ?? 0;
    if (!longest || own + 1 >= longest.length) throw busy(this.waiting);
    const shed = longest.pop() as Waiter;
    if (longest.length === 0) this.queues.delete(longestKey);
    this.waiting -= 1;
    shed.reject(busy(this.waiting));
  }

  /** Gives the finished task's slot to the next key's oldest waiter, or frees it. */
  private handOn(): void {
    const next = this.queues.entries().next();
    if (next.done) {
      this.running -= 1;
      return;
    }
    const [key, queue] = next.value;
    const waiter = queue.shift() as Waiter;
    this.queues.delete(key);
    if (queue.length > 0) this.queues.set(key, queue);
    this.waiting -= 1;
    waiter.resolve();
  }
}

interface Waiter {
  resolve(): void;
  reject(error: OAuthError): void;
}

function busy(waiting: number): OAuthError {
  return new OAuthError('temporarily_unavailable', 'The server is busy; try again shortly.', {
    retryAfterSeconds: 1,
    detail: `${waiting} password checks waiting`,
  });
}
