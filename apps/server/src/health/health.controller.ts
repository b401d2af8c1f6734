import { Controller, Get, Header } from '@nestjs/common';

import { OAuthError } from '@app/errors';
import { Database } from '@app/persistence';

/** CONTRACT §5: liveness and readiness. */
@Controller('health')
export class HealthController {
  constructor(private readonly db: Database) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  live(): { status: string } {
    return { status: 'ok' };
  }

  @Get('ready')
  @Header('Cache-Control', 'no-store')
  async ready(): Promise<{ status: string }> {
    if (!(await this.db.isReachable())) {
      throw new OAuthError('temporarily_unavailable', 'The database is not reachable.', {
        retryAfterSeconds: 5,
      });
    }
    return { status: 'ready' };
  }
}
