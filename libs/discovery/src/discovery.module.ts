import { Module } from '@nestjs/common';

import { ClientsModule } from '@app/clients';
import { GrantsModule } from '@app/grants';

import { DiscoveryService } from './discovery.service';

/** The provider metadata document. */
@Module({
  imports: [GrantsModule, ClientsModule],
  providers: [DiscoveryService],
  exports: [DiscoveryService],
})
export class DiscoveryModule {}
