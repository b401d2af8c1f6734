import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';

import { randomToken } from '@app/crypto';

/** OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1. */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** argon2id hashing of user passwords. */
@Injectable()
export class PasswordHasher {
  private dummyHash: Promise<string> | null = null;

  hash(password: string): Promise<string> {
    return argon2.hash(password, ARGON2_OPTIONS);
  }

  /** True when `password` matches `hash`; false (never an exception) for a malformed hash. */
  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
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
