/**
 * Threads of libuv's pool kept free of argon2id hashes, so an RS256 signature, a DNS lookup or a
 * file read never waits behind a queue of sign-ins.
 */
export const RESERVED_POOL_THREADS = 2;

/** libuv's default pool size, and its bounds (libuv src/threadpool.c). */
const LIBUV_DEFAULT_POOL = 4;
const LIBUV_MAX_POOL = 1024;

/** The size of libuv's thread pool as libuv reads UV_THREADPOOL_SIZE. */
export function threadPoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const size = Number.parseInt(env.UV_THREADPOOL_SIZE ?? '', 10);
  if (!Number.isFinite(size)) return LIBUV_DEFAULT_POOL;
  return Math.min(LIBUV_MAX_POOL, Math.max(1, size));
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
