import { timingSafeEqual } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';

import { APP_CONFIG, AppConfig } from '@app/config';
import { hashToken, randomToken } from '@app/crypto';

/**
 * The admin API's bearer token (CONTRACT §2 ADMIN_TOKEN). Unset: 256 random bits are generated
 * at start, printed once to stdout, and kept for this process only. Held as a SHA-256 digest.
 */
@Injectable()
export class AdminToken {
  private readonly digest: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    let token = config.admin.token;
    if (!token) {
      token = randomToken(32);
      // stdout, not the logger: the operator needs it whatever LOG_LEVEL is.
      process.stdout.write(`admin token (this process only): ${token}\n`);
    }
    this.digest = hashToken(token);
  }

  /** Constant-time: digests of equal length are compared, so neither content nor length leaks. */
  matches(presented: string): boolean {
    return timingSafeEqual(hashToken(presented), this.digest);
  }
}
