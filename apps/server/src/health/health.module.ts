import { Module } from '@nestjs/common';

import { PersistenceModule } from '@app/persistence';

import { HealthController } from './health.controller';

@Module({
  imports: [PersistenceModule],
  controllers: [HealthController],
})
export class HealthModule {}
