import { Module } from '@nestjs/common';

import { DiscoveryModule } from '@app/discovery';
import { KeysModule } from '@app/keys';

import { DiscoveryController } from './discovery.controller';
import { JwksController } from './jwks.controller';

/** Every protocol endpoint, mounted below the issuer path. */
@Module({
  imports: [DiscoveryModule, KeysModule],
  controllers: [DiscoveryController, JwksController],
})
export class ProtocolModule {}
