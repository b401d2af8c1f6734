import { timingSafeEqual } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';

import { APP_CONFIG, AppConfig } from '@app/config';
import { hashToken, randomToken } from '@app/crypto';

/**
 * The admin API's bearer token (CONTRACT §2 ADMIN_TOKEN). Unset: 256 random bits are generated
 * at start, printed once (createApp), and kept for this process only. Held as a SHA-256 digest.
 */
@Injectable()
export class AdminToken {
  private readonly digest: Buffer;
  private generated: string | null = null;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    let token = config.admin.token;
    if (!token) {
      token = randomToken(32);
      this.generated = token;
    }
    this.digest = hashToken(token);
  }

  /** The generated token, once, for printing at start; null when ADMIN_TOKEN was set or it was taken. */
  takeGenerated(): string | null {
    const token = this.generated;
    this.generated = null;
    return token;
  }

  /** Constant-time: digests of equal length are compared, so neither content nor length leaks. */
  matches(presented: string): boolean {
    return timingSafeEqual(hashToken(presented), this.digest);
  }
}
