import { Inject, Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';

import { APP_CONFIG, AppConfig } from '@app/config';

import { Database } from './database';
import { DatabaseNotifications } from './database-notifications';
import { HousekeepingService } from './housekeeping.service';
import { OpenDatabase, openDatabase } from './open-database';
import { REPOSITORIES } from './repositories';

/**
 * Owns the connection: opened (and migrated) before anything uses it, change notifications
 * listened to once the application is up, all closed at shutdown.
 */
@Injectable()
export class DatabaseLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject('OPEN_DATABASE') private readonly open: OpenDatabase) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.open.notifications.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.open.close();
  }
}

/** The database, its migrations and every repository. */
@Module({
  providers: [
    { provide: 'OPEN_DATABASE', useFactory: (config: AppConfig) => openDatabase(config), inject: [APP_CONFIG] },
    { provide: Database, useFactory: (open: OpenDatabase) => open.database, inject: ['OPEN_DATABASE'] },
    { provide: DatabaseNotifications, useFactory: (open: OpenDatabase) => open.notifications, inject: ['OPEN_DATABASE'] },
    DatabaseLifecycle,
    HousekeepingService,
    ...REPOSITORIES,
  ],
  exports: [Database, DatabaseNotifications, HousekeepingService, ...REPOSITORIES],
})
export class PersistenceModule {}
