import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';

import { APP_CONFIG, AppConfig, Clock } from '@app/config';

import { HousekeepingRepository } from './repositories/housekeeping.repository';

const INTERVAL_MS = 10 * 60 * 1000;

/** Purges expired rows every ten minutes on whichever instance gets there first. */
@Injectable()
export class HousekeepingService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Housekeeping');
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly housekeeping: HousekeepingRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runOnce(), INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One purge; failures (e.g. the database being away) are logged and retried next time. */
  async runOnce(): Promise<void> {
    try {
      const report = await this.housekeeping.purgeExpired(
        this.clock.now(),
        this.config.tokens.accessTokenTtlSeconds,
        longestLimitWindowSeconds(this.config),
        this.config.audit.retentionDays,
      );
      if (report) this.logger.debug(`purged ${JSON.stringify(report)}`);
    } catch (error) {
      this.logger.warn(`purge failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** OTP_SENDS_PER_HOUR counts sends per hour (libs/otp's send window). */
const OTP_SEND_WINDOW_SECONDS = 3600;

/** The sign-in failure window, or the hour of the OTP send limit, whichever is longer. */
export function longestLimitWindowSeconds(config: AppConfig): number {
  return Math.max(config.login.windowSeconds, OTP_SEND_WINDOW_SECONDS);
}
