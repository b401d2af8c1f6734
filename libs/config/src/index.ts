/** Validated configuration, the injectable clock, and the protocol routes. */
export { APP_CONFIG } from './app-config';
export type { AppConfig } from './app-config';
/** Wall-clock and test clocks; inject Clock. */
export { Clock, FixedClock, SystemClock } from './clock';
/** Provides AppConfig and Clock to every module. */
export { ConfigModule } from './config.module';
/** Environment validation: loadConfig() returns AppConfig or throws ConfigError. */
export { ConfigError, loadConfig } from './load-config';
/** Route paths and URLs derived from the issuer. */
export { routePath, routeUrl } from './issuer-urls';
export { Routes } from './routes';
export type { RouteName } from './routes';
/** libuv's thread pool: its size, and the threads kept free of password hashes. */
export {
  RESERVED_POOL_THREADS,
  serverThreadPoolSize,
  sizeThreadPool,
  threadPoolSize,
} from './thread-pool';
/** The cores the process may use, a container's CPU limit included. */
export { cpuCores } from './cpu-cores';
