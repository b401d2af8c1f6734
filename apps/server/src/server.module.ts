import {
  DynamicModule,
  Inject,
  MiddlewareConsumer,
  Module,
  NestModule,
  RequestMethod,
} from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, RouterModule } from '@nestjs/core';

import { APP_CONFIG, AppConfig, Clock, ConfigModule, RouteName, routePath } from '@app/config';
import { OAuthExceptionFilter } from '@app/errors';
import { PersistenceModule } from '@app/persistence';

import { AdminModule } from './admin/admin.module';
import { AuditInterceptor } from './audit/audit.interceptor';
import { HealthModule } from './health/health.module';
import { CorsMiddleware } from './protocol/cors.middleware';
import { ProtocolModule } from './protocol/protocol.module';

/** The endpoints browser applications call across origins. */
const CORS_ROUTES: RouteName[] = [
  'openidConfiguration',
  'oauthAuthorizationServer',
  'metadataJson',
  'jwks',
  'token',
  'userinfo',
  'introspection',
  'revocation',
];

/** The whole server: protocol endpoints below the issuer path, admin API, health. */
@Module({})
export class ServerModule implements NestModule {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(CorsMiddleware).forRoutes(
      ...CORS_ROUTES.map((route) => ({
        path: routePath(this.config, route),
        method: RequestMethod.ALL,
      })),
    );
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
