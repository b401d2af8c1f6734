import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, RouterModule } from '@nestjs/core';

import { AppConfig, Clock, ConfigModule } from '@app/config';
import { OAuthExceptionFilter } from '@app/errors';

import { AdminModule } from './admin/admin.module';
import { HealthModule } from './health/health.module';
import { ProtocolModule } from './protocol/protocol.module';

/** The whole server: protocol endpoints below the issuer path, admin API, health. */
@Module({})
export class ServerModule {
  static forRoot(config: AppConfig, clock?: Clock): DynamicModule {
    return {
      module: ServerModule,
      imports: [
        ConfigModule.forRoot(config, clock),
        ProtocolModule,
        HealthModule,
        AdminModule,
        RouterModule.register([{ path: config.issuer.basePath || '/', module: ProtocolModule }]),
      ],
      providers: [{ provide: APP_FILTER, useClass: OAuthExceptionFilter }],
    };
  }
}
