import * as libargon2 from 'argon2';

import { OAuthError } from '@app/errors';

import { FairSlots, hashSlots, MAX_WAITING_HASHES, PasswordHasher } from './password-hasher';

describe(PasswordHasher.name, () => {
  const sut = new PasswordHasher();

  it('hashes with argon2id, m=19456 KiB, t=2, p=1', async () => {
    const hash = await sut.hash('correct horse');

    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(sut.needsRehash(hash)).toBe(false);
  });

  it('verifies, and keeps, a hash that libargon2 wrote at the same parameters (earlier releases)', async () => {
    // Earlier releases hashed with the `argon2` package (the C reference code), which writes the
    // parameters as m,p,t: such stored hashes must go on verifying, and are not rehashed.
    const stored = await libargon2.hash('correct horse', {
      type: libargon2.argon2id,
      memoryCost: 19456,
      timeCost: 2,
      parallelism: 1,
    });
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);

    expect(await sut.verify(stored, 'correct horse', 'a')).toBe(true);
    expect(await sut.verify(stored, 'correct horsf', 'a')).toBe(false);
    expect(sut.needsRehash(stored)).toBe(false);
  });

  it('refuses, without computing it, a stored argon2id hash past the import bounds', async () => {
    // Ten passes is the bound: eleven of 64 KiB is cheap to make, and the password matches it.
    const stored = await libargon2.hash('correct horse', {
      type: libargon2.argon2id,
      memoryCost: 64,
      timeCost: 11,
    });
    expect(await libargon2.verify(stored, 'correct horse')).toBe(true);

    expect(await sut.verify(stored, 'correct horse', 'a')).toBe(false);
  });

  it('writes hashes that libargon2 verifies', async () => {
    const hash = await sut.hash('correct horse');

    expect(await libargon2.verify(hash, 'correct horse')).toBe(true);
    expect(await libargon2.verify(hash, 'correct horsf')).toBe(false);
  });

  it('verifies the right password', async () => {
    const hash = await sut.hash('correct horse');

    expect(await sut.verify(hash, 'correct horse', 'a')).toBe(true);
  });

  it('refuses a wrong password', async () => {
    const hash = await sut.hash('correct horse');

    expect(await sut.verify(hash, 'Correct horse', 'a')).toBe(false);
  });

  it('answers false for a malformed hash instead of throwing', async () => {
    expect(await sut.verify('not a hash', 'correct horse', 'a')).toBe(false);
  });

  it('makes its dummy hash outside the queue: a full queue at start cannot leave it broken', async () => {
    const sut = new PasswordHasher();
    const flood = Array.from({ length: MAX_WAITING_HASHES + 8 }, () =>
      sut.hash('x', 'flood').catch((e: unknown) => e),
    );

    await expect(sut.onModuleInit()).resolves.toBeUndefined();
    const outcomes = await Promise.all(flood);

    expect(outcomes.filter((o) => o instanceof OAuthError)).toHaveLength(6);
    expect(await sut.verifyDummy('guess', 'other')).toBe(false);
  });

  it('never accepts anything against the dummy hash', async () => {
    expect(await sut.verifyDummy('', 'a')).toBe(false);
  });
});

describe(hashSlots.name, () => {
  it('hashes on every core while two pool threads stay free for signatures', () => {
    // The server's own pool (serverThreadPoolSize): a thread per core plus two.
    expect(hashSlots(2, 4)).toBe(2);
    expect(hashSlots(8, 10)).toBe(8);
  });

  it('hashes on fewer threads than cores when the pool leaves no more room', () => {
    // libuv's default of 4 (the tests' in-process server) or an operator's UV_THREADPOOL_SIZE.
    expect(hashSlots(8, 4)).toBe(2);
    expect(hashSlots(8, 3)).toBe(1);
  });

  it('always hashes one at a time at least', () => {
    expect(hashSlots(2, 2)).toBe(1);
    expect(hashSlots(1, 1)).toBe(1);
  });
});

describe(FairSlots.name, () => {
  /** A task that finishes when the test says so, recording when it started. */
  function gate(log: string[], name: string): { task: () => Promise<void>; open: () => void } {
    let open!: () => void;
    const done = new Promise<void>((resolve) => (open = resolve));
    return {
      task: () => {
        log.push(name);
        return done;
      },
      open: () => open(),
    };
  }

  it('serves waiting keys in turn, so a long queue from one key does not hold up another', async () => {
    const sut = new FairSlots(1, 100);
    const log: string[] = [];
    const first = gate(log, 'flood-0');
    const running = sut.run('flood', first.task);
    const flood = [1, 2, 3].map((i) => sut.run('flood', async () => void log.push(`flood-${i}`)));
    const other = sut.run('other', async () => void log.push('other'));

    first.open();
    await Promise.all([running, ...flood, other]);

    expect(log).toEqual(['flood-0', 'flood-1', 'other', 'flood-2', 'flood-3']);
  });

  it('runs up to its size at once', async () => {
    const sut = new FairSlots(2, 100);
    const log: string[] = [];
    const a = gate(log, 'a');
    const b = gate(log, 'b');
    const runs = [
      sut.run('x', a.task),
      sut.run('x', b.task),
      sut.run('x', async () => void log.push('c')),
    ];
    await Promise.resolve();

    expect(log).toEqual(['a', 'b']);
    a.open();
    b.open();
    await Promise.all(runs);
    expect(log).toEqual(['a', 'b', 'c']);
  });

  it('sheds work beyond the waiting bound with temporarily_unavailable and Retry-After', async () => {
    const sut = new FairSlots(1, 2);
    const log: string[] = [];
    const first = gate(log, 'first');
    const running = sut.run('k', first.task);
    const waiting = [sut.run('k', async () => undefined), sut.run('j', async () => undefined)];

    const refused = await sut.run('m', async () => undefined).catch((e: unknown) => e);

    expect(refused).toBeInstanceOf(OAuthError);
    expect((refused as OAuthError).code).toBe('temporarily_unavailable');
    expect((refused as OAuthError).options.retryAfterSeconds).toBeGreaterThan(0);
    first.open();
    await Promise.all([running, ...waiting]);
  });

  it('makes room for a quiet key by refusing the newest waiter of the busiest one', async () => {
    const sut = new FairSlots(1, 3);
    const log: string[] = [];
    const first = gate(log, 'first');
    const running = sut.run('flood', first.task);
    const flood = [1, 2, 3].map((i) =>
      sut.run('flood', async () => void log.push(`flood-${i}`)).catch((e: unknown) => e),
    );

    const quiet = sut.run('quiet', async () => void log.push('quiet'));
    first.open();
    await Promise.all([running, quiet]);
    const outcomes = await Promise.all(flood);

    expect(outcomes[2]).toBeInstanceOf(OAuthError);
    expect((outcomes[2] as OAuthError).code).toBe('temporarily_unavailable');
    expect(log).toEqual(['first', 'flood-1', 'quiet', 'flood-2']);
  });

  it('frees its slot when a task fails', async () => {
    const sut = new FairSlots(1, 1);

    await expect(sut.run('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');

    await expect(sut.run('k', async () => 'ran')).resolves.toBe('ran');
  });
});
