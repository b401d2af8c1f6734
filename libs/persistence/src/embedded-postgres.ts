import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** Connections the embedded engine accepts (several instances in tests, each with a small pool). */
const MAX_CONNECTIONS = 64;

/** Marks a URL as pointing at the embedded engine, which runs one statement at a time. */
export const EMBEDDED_MARKER = 'embedded=pglite';

/**
 * PostgreSQL compiled to WebAssembly (PGlite), served on a loopback port so the ordinary
 * pg driver and TypeORM talk to it exactly as to a server. Development and tests only:
 * production sets DATABASE_URL.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
  ) {}

  /** `dataDir` null keeps the database in memory. */
  static async start(dataDir: string | null): Promise<EmbeddedPostgres> {
    let db: PGlite;
    if (dataDir) {
      const dir = path.resolve(dataDir, 'pgdata');
      await mkdir(dir, { recursive: true });
      db = await PGlite.create(dir);
    } else {
      db = await PGlite.create();
    }
    // Several connections share the one engine: the socket server's query queue runs one
    // connection's transaction to its end before serving another, so transactions stay whole.
    const server = new PGLiteSocketServer({
      db,
      port: 0,
      host: '127.0.0.1',
      maxConnections: MAX_CONNECTIONS,
    });
    await server.start();
    return new EmbeddedPostgres(db, server);
  }

  get url(): string {
    return `postgres://postgres@${this.server.getServerConn()}/postgres?${EMBEDDED_MARKER}`;
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
  }
}
