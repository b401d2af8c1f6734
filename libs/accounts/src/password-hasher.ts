import { availableParallelism } from 'node:os';

import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';

import { randomToken } from '@app/crypto';

/** OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1. */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/**
 * argon2id hashing of user passwords, at most one hash per core at a time: each holds 19 MiB,
 * and hashes beyond the core count only wait for CPU (the libuv pool has 4 threads) while
 * their memory counts against the process.
 */
@Injectable()
export class PasswordHasher {
  private dummyHash: Promise<string> | null = null;
  private readonly slots = new HashSlots(availableParallelism());

  hash(password: string): Promise<string> {
    return this.slots.run(() => argon2.hash(password, ARGON2_OPTIONS));
  }

  /** True when `password` matches `hash`; false (never an exception) for a malformed hash. */
  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await this.slots.run(() => argon2.verify(hash, password));
    } catch {
      return false;
    }
  }

  /**
   * Does the work of one verification against a hash no password matches, so an unknown
   * username costs the same time as a wrong password.
   */
  async verifyDummy(password: string): Promise<false> {
    this.dummyHash ??= this.hash(randomToken());
    await this.verify(await this.dummyHash, password);
    return false;
  }
}

/** A counting semaphore: `run` starts `task` once fewer than `size` tasks are running. */
class HashSlots {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running += 1;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
