import {
  DynamicModule,
  Inject,
  MiddlewareConsumer,
  Module,
  NestModule,
  RequestMethod,
} from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, RouterModule } from '@nestjs/core';

import { APP_CONFIG, AppConfig, Clock, ConfigModule } from '@app/config';
import { OAuthExceptionFilter } from '@app/errors';
import { PersistenceModule } from '@app/persistence';

import { AdminModule } from './admin/admin.module';
import { AuditInterceptor } from './audit/audit.interceptor';
import { HealthModule } from './health/health.module';
import { CorsMiddleware, corsPaths } from './protocol/cors.middleware';
import { ProtocolModule } from './protocol/protocol.module';

/** The whole server: protocol endpoints below the issuer path, admin API, health. */
@Module({})
export class ServerModule implements NestModule {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  configure(consumer: MiddlewareConsumer): void {
    // Fastify sets the CORS headers in a request hook of its own (create-app.ts): no Nest
    // middleware runs there, so it needs no middleware engine on every request.
    if (this.config.http.adapter === 'fastify') return;
    consumer
      .apply(CorsMiddleware)
      .forRoutes(...corsPaths(this.config).map((path) => ({ path, method: RequestMethod.ALL })));
  }

  static forRoot(config: AppConfig, clock?: Clock): DynamicModule {
    return {
      module: ServerModule,
      imports: [
        ConfigModule.forRoot(config, clock),
        ProtocolModule,
        HealthModule,
        AdminModule,
        PersistenceModule,
        RouterModule.register([{ path: config.issuer.basePath || '/', module: ProtocolModule }]),
      ],
      providers: [
        { provide: APP_FILTER, useClass: OAuthExceptionFilter },
        { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
      ],
    };
  }
}
