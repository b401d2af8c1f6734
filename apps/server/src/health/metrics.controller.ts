import { Controller, Get, Header, Headers, Inject } from '@nestjs/common';

import { APP_CONFIG, AppConfig } from '@app/config';
import { safeEqual } from '@app/crypto';
import { OAuthError } from '@app/errors';
import { Metrics, METRICS_CONTENT_TYPE } from '@app/observability';
import { Database } from '@app/persistence';

// RFC 6750 §2.1; the scheme is case-insensitive (RFC 9110 §11.1).
const BEARER = /^Bearer +(\S.*)$/i;

/**
 * CONTRACT §5: Prometheus text format, open unless METRICS_TOKEN is set, then
 * `Authorization: Bearer $METRICS_TOKEN`, compared in constant time.
 */
@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
    db: Database,
  ) {
    metrics.observeDatabasePool(() => db.poolStats());
  }

  @Get()
  @Header('Content-Type', METRICS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  scrape(@Headers('authorization') authorization: string | undefined): Promise<string> {
    const expected = this.config.metrics.token;
    if (expected !== null) {
      const presented =
        typeof authorization === 'string' ? BEARER.exec(authorization)?.[1] : undefined;
      if (presented === undefined || !safeEqual(presented, expected)) {
        throw new OAuthError('invalid_token', 'The metrics token is missing or invalid.', {
          challenge: presented === undefined ? 'Bearer' : 'Bearer error="invalid_token"',
        });
      }
    }
    return this.metrics.render();
  }
}
