import { connect, createServer } from 'node:net';
import { Writable } from 'node:stream';

import { INestApplication } from '@nestjs/common';

import { createApp } from '../../apps/server/src/create-app';
import { AppConfig, FixedClock, loadConfig } from '@app/config';
import { generateMasterKey } from '@app/crypto';

/** A running server for e2e tests: real HTTP on a loopback port, real database. */
export interface TestServer {
  readonly app: INestApplication;
  readonly config: AppConfig;
  readonly clock: FixedClock;
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  /** The issuer URL. */
  readonly issuer: string;
  /** The raw Node server, for supertest. */
  readonly http: ReturnType<INestApplication['getHttpServer']>;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly databaseUrl: string;
  /** Same key for every instance on one database. */
  readonly masterKey?: string;
  readonly env?: Record<string, string>;
  readonly clock?: FixedClock;
  /** Log lines go here (at LOG_LEVEL, in LOG_FORMAT) instead of nowhere. */
  readonly logDestination?: Writable;
  /** The issuer's host name; 127.0.0.1 by default. WebAuthn needs a domain (`localhost`), not an IP. */
  readonly issuerHost?: string;
}

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef0123456789';

/** A master key shared by the servers of one test file. */
export const newMasterKey = generateMasterKey;

/** Starts the whole app on a free loopback port. */
export async function startTestServer(options: StartOptions): Promise<TestServer> {
  const port = await freePort();
  const config = loadConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    // 127.0.0.1, not localhost: relying-party libraries compare the issuer to the URL they fetched.
    ISSUER: `http://${options.issuerHost ?? '127.0.0.1'}:${port}/uas`,
    DATABASE_URL: options.databaseUrl,
    MASTER_KEY: options.masterKey ?? generateMasterKey(),
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LOG_LEVEL: 'error',
    // CI runs the e2e suite once per adapter: the default (Fastify), then HTTP_ADAPTER=express.
    ...(process.env.HTTP_ADAPTER ? { HTTP_ADAPTER: process.env.HTTP_ADAPTER } : {}),
    ...options.env,
  });
  const clock = options.clock ?? new FixedClock(new Date());
  const logging = options.logDestination
    ? { logDestination: options.logDestination }
    : { logger: false as const };
  const app = await createApp(config, { clock: clock, ...logging });
  await app.listen(port, '127.0.0.1');
  return {
    app,
    config,
    clock,
    origin: `http://127.0.0.1:${port}`,
    issuer: config.issuer.url,
    http: app.getHttpServer(),
    close: () => app.close(),
  };
}

/** A port the OS says is free now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** Whether something accepts connections on the loopback port now. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
