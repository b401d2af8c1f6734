import { serverThreadPoolSize, sizeThreadPool, threadPoolSize } from './thread-pool';

describe(threadPoolSize.name, () => {
  it("is libuv's default of 4 when UV_THREADPOOL_SIZE is unset", () => {
    expect(threadPoolSize({})).toBe(4);
  });

  it('reads UV_THREADPOOL_SIZE as libuv does: atoi, then 0 raised to 1 and above 1024 cut', () => {
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '7' })).toBe(7);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: ' 7 threads' })).toBe(7);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '0' })).toBe(1);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '5000' })).toBe(1024);
  });

  it('counts text that is no number as 0 (one thread) and a negative number as 1024', () => {
    // atoi gives 0 for both; a negative int stored in libuv's unsigned count is beyond 1024.
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '' })).toBe(1);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: 'many' })).toBe(1);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '-2' })).toBe(1024);
  });
});

describe(serverThreadPoolSize.name, () => {
  it("is a thread per core plus two, and never below libuv's default", () => {
    expect(serverThreadPoolSize(1)).toBe(4);
    expect(serverThreadPoolSize(2)).toBe(4);
    expect(serverThreadPoolSize(8)).toBe(10);
  });
});

describe(sizeThreadPool.name, () => {
  it("sets the server's pool size when the operator set none", () => {
    const env: NodeJS.ProcessEnv = {};
    sizeThreadPool(8, env);
    expect(env.UV_THREADPOOL_SIZE).toBe('10');
  });

  it("keeps an operator's UV_THREADPOOL_SIZE", () => {
    const env: NodeJS.ProcessEnv = { UV_THREADPOOL_SIZE: '3' };
    sizeThreadPool(8, env);
    expect(env.UV_THREADPOOL_SIZE).toBe('3');
  });
});
