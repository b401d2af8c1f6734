import { cpuCores, sizeThreadPool } from '@app/config';

// libuv's thread pool runs the argon2id hashes (at most one per core: PasswordHasher) and the
// RS256 signatures of token responses. libuv reads UV_THREADPOOL_SIZE once, when the first work
// is queued, so main.ts imports this module before anything else.
sizeThreadPool(cpuCores());
