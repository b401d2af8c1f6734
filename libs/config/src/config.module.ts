import { DynamicModule, Global, Module } from '@nestjs/common';

import { APP_CONFIG, AppConfig } from './app-config';
import { Clock, SystemClock } from './clock';

/** Provides AppConfig and Clock everywhere; the only @Global() module. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig, clock: Clock = new SystemClock()): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: Clock, useValue: clock },
      ],
      exports: [APP_CONFIG, Clock],
    };
  }
}
