import { Module } from '@nestjs/common';

import { ClientsModule } from '@app/clients';
import { DiscoveryModule } from '@app/discovery';
import { GrantsModule } from '@app/grants';
import { KeysModule } from '@app/keys';
import { TokensModule } from '@app/tokens';

import { DiscoveryController } from './discovery.controller';
import { IntrospectionController } from './introspection.controller';
import { JwksController } from './jwks.controller';
import { RevocationController } from './revocation.controller';
import { TokenController } from './token.controller';
import { UserinfoController } from './userinfo.controller';

/** Every protocol endpoint, mounted below the issuer path. */
@Module({
  imports: [DiscoveryModule, KeysModule, ClientsModule, GrantsModule, TokensModule],
  controllers: [
    DiscoveryController,
    JwksController,
    TokenController,
    IntrospectionController,
    RevocationController,
    UserinfoController,
  ],
})
export class ProtocolModule {}
