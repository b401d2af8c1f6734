import { Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';

import { APP_CONFIG, AppConfig } from '@app/config';

import { Database } from './database';
import { HousekeepingService } from './housekeeping.service';
import { OpenDatabase, openDatabase } from './open-database';
import { REPOSITORIES } from './repositories';

/** Owns the connection: opened (and migrated) before anything uses it, closed at shutdown. */
@Injectable()
export class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(@Inject('OPEN_DATABASE') private readonly open: OpenDatabase) {}

  async onApplicationShutdown(): Promise<void> {
    await this.open.close();
  }
}

/** The database, its migrations and every repository. */
@Module({
  providers: [
    { provide: 'OPEN_DATABASE', useFactory: (config: AppConfig) => openDatabase(config), inject: [APP_CONFIG] },
    { provide: Database, useFactory: (open: OpenDatabase) => open.database, inject: ['OPEN_DATABASE'] },
    DatabaseLifecycle,
    HousekeepingService,
    ...REPOSITORIES,
  ],
  exports: [Database, HousekeepingService, ...REPOSITORIES],
})
export class PersistenceModule {}
