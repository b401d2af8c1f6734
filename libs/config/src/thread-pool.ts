/**
 * Threads of libuv's pool kept free of argon2id hashes (when the pool has more than this many),
 * so an RS256 signature, a DNS lookup or a file read never waits for a thread behind a queue of
 * sign-ins. It still shares the cores with the hashes being computed.
 */
export const RESERVED_POOL_THREADS = 2;

/** libuv's default pool size, and its largest (libuv src/threadpool.c). */
const LIBUV_DEFAULT_POOL = 4;
const LIBUV_MAX_POOL = 1024;

/**
 * The size of libuv's thread pool, read from UV_THREADPOOL_SIZE as libuv reads it: `atoi` into
 * an unsigned int, so text that is no number means 0 and a negative number a huge one; then 0 is
 * raised to 1 and anything above 1024 cut to 1024.
 */
export function threadPoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.UV_THREADPOOL_SIZE;
  if (value === undefined) return LIBUV_DEFAULT_POOL;
  const size = Number.parseInt(value, 10);
  if (Number.isNaN(size) || size === 0) return 1;
  if (size < 0 || size > LIBUV_MAX_POOL) return LIBUV_MAX_POOL;
  return size;
}

/** The pool the server asks for when the operator set none: a thread per core, plus the reserve. */
export function serverThreadPoolSize(cores: number): number {
  return Math.max(LIBUV_DEFAULT_POOL, cores + RESERVED_POOL_THREADS);
}

/**
 * Sizes libuv's pool for the server (serverThreadPoolSize) unless the operator set
 * UV_THREADPOOL_SIZE. libuv reads the variable once, when the first work is queued: this must run
 * before anything queues work (apps/server/src/thread-pool.ts, imported first by main.ts).
 */
export function sizeThreadPool(cores: number, env: NodeJS.ProcessEnv = process.env): void {
  if (!env.UV_THREADPOOL_SIZE) env.UV_THREADPOOL_SIZE = String(serverThreadPoolSize(cores));
}
