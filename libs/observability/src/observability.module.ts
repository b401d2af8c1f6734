import { Module } from '@nestjs/common';

import { Metrics } from './metrics';

/** The application's metrics registry, for services that count what they do. */
@Module({
  providers: [Metrics],
  exports: [Metrics],
})
export class ObservabilityModule {}
