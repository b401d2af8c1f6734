import { Logger, Module } from '@nestjs/common';

import { APP_CONFIG, AppConfig } from '@app/config';

import { isEmbeddedUrl } from './data-source';
import { EmbeddedPostgres } from './embedded-postgres';

/**
 * Where the database is: DATABASE_URL, or the embedded engine (PGlite) started for this process
 * when it is unset, stopped at shutdown.
 */
export class DatabaseServer {
  private constructor(
    readonly url: string,
    private readonly engine: EmbeddedPostgres | null,
  ) {}

  static async start(config: AppConfig): Promise<DatabaseServer> {
    if (config.database.url) return new DatabaseServer(config.database.url, null);
    const engine = await EmbeddedPostgres.start(config.database.dataDir);
    new Logger('Database').log(
      `embedded PostgreSQL (PGlite) in ${config.database.dataDir}; production sets DATABASE_URL`,
    );
    return new DatabaseServer(engine.url, engine);
  }

  /**
   * True on the embedded engine, started here or by a test (its URL carries the marker): one
   * process's own, so no other instance changes it behind our back.
   */
  get embedded(): boolean {
    return isEmbeddedUrl(this.url);
  }

  async stop(): Promise<void> {
    await this.engine?.stop();
  }
}

/** Provides the one DatabaseServer, to TypeOrmModule's options factory and to PersistenceModule. */
@Module({
  providers: [
    {
      provide: DatabaseServer,
      useFactory: (config: AppConfig) => DatabaseServer.start(config),
      inject: [APP_CONFIG],
    },
  ],
  exports: [DatabaseServer],
})
export class DatabaseServerModule {}
