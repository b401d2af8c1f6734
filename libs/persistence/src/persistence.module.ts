import { Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';

import { Database } from './database';
import { DatabaseNotifications } from './database-notifications';
import { DatabaseServer, DatabaseServerModule } from './database-server';
import { dataSourceOptions, openDataSource } from './data-source';
import { AuditLog } from './audit-log';
import { HousekeepingService } from './housekeeping.service';
import { REPOSITORIES } from './repositories';
import { SessionEndings } from './session-endings';

/**
 * Change notifications listened to once the application is up (so a failed start leaves no
 * listener behind); at shutdown the listener, the data source and the embedded engine closed
 * in that order, whichever of this and TypeOrmModule's own shutdown runs first.
 */
@Injectable()
export class DatabaseLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly notifications: DatabaseNotifications,
    private readonly dataSource: DataSource,
    private readonly server: DatabaseServer,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.notifications.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.notifications.close();
    if (this.dataSource.isInitialized) await this.dataSource.destroy().catch(() => undefined);
    await this.server.stop();
  }
}

/** The database (TypeORM's data source, migrated before anything uses it) and every repository. */
@Module({
  imports: [
    DatabaseServerModule,
    TypeOrmModule.forRootAsync({
      imports: [DatabaseServerModule],
      inject: [DatabaseServer],
      // A start against an unreachable database fails at once with one line (main.ts): no retry
      // loop, and nothing logged by TypeOrmModule before it gives up.
      useFactory: (server: DatabaseServer) => ({
        ...dataSourceOptions(server.url),
        toRetry: () => false,
      }),
      dataSourceFactory: (options?: DataSourceOptions) => openDataSource(options!),
    }),
  ],
  providers: [
    {
      // The embedded engine's single connection is no place for a listener: it gets no caches.
      provide: DatabaseNotifications,
      useFactory: (server: DatabaseServer) =>
        new DatabaseNotifications(server.embedded ? null : server.url),
      inject: [DatabaseServer],
    },
    {
      provide: Database,
      useFactory: (
        dataSource: DataSource,
        notifications: DatabaseNotifications,
        server: DatabaseServer,
      ) => new Database(dataSource, notifications, !server.embedded),
      inject: [DataSource, DatabaseNotifications, DatabaseServer],
    },
    DatabaseLifecycle,
    HousekeepingService,
    AuditLog,
    SessionEndings,
    ...REPOSITORIES,
  ],
  exports: [
    Database,
    DatabaseNotifications,
    HousekeepingService,
    AuditLog,
    SessionEndings,
    ...REPOSITORIES,
  ],
})
export class PersistenceModule {}
