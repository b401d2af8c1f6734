import { Module } from '@nestjs/common';

import { ObservabilityModule } from '@app/observability';
import { PersistenceModule } from '@app/persistence';

import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';

@Module({
  imports: [PersistenceModule, ObservabilityModule],
  controllers: [HealthController, MetricsController],
})
export class HealthModule {}
