import { Module } from '@nestjs/common';

import { AuthorizationModule } from '@app/authorization';
import { ClientsModule } from '@app/clients';
import { DiscoveryModule } from '@app/discovery';
import { GrantsModule } from '@app/grants';
import { KeysModule } from '@app/keys';
import { TokensModule } from '@app/tokens';

import { AuthorizationController } from './authorization.controller';
import { PasskeysController } from './passkeys.controller';
import { DiscoveryController } from './discovery.controller';
import { IntrospectionController } from './introspection.controller';
import { JwksController } from './jwks.controller';
import { LoginStylesheetController } from './login/login-stylesheet.controller';
import { LogoutController } from './logout.controller';
import { RevocationController } from './revocation.controller';
import { TokenController } from './token.controller';
import { UserinfoController } from './userinfo.controller';

/** Every protocol endpoint, mounted below the issuer path. */
@Module({
  imports: [
    DiscoveryModule,
    KeysModule,
    ClientsModule,
    GrantsModule,
    TokensModule,
    AuthorizationModule,
  ],
  controllers: [
    DiscoveryController,
    JwksController,
    TokenController,
    IntrospectionController,
    RevocationController,
    UserinfoController,
    AuthorizationController,
    PasskeysController,
    LoginStylesheetController,
    LogoutController,
  ],
})
export class ProtocolModule {}
