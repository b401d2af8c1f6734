import { AppConfig, FixedClock } from '@app/config';
import { RateLimitRepository, RateWindow, UserRecord, UserRepository } from '@app/persistence';

import { mockOf } from '../../../test/mocks';
import { PasswordHasher } from './password-hasher';
import { CLIENT_FAILURE_FACTOR, PasswordLogin } from './password-login.service';

const MAX_FAILURES = 3;
const WINDOW_SECONDS = 900;
const config = { login: { maxFailures: MAX_FAILURES, windowSeconds: WINDOW_SECONDS } } as AppConfig;

const ALICE: UserRecord = {
  id: '6f1c1c1e-7d43-4f7e-9a53-0d9b7f0b5a11',
  username: 'Alice',
  passwordHash: '$argon2id$alice',
  claims: { email: 'alice@example.com' },
  createdAt: new Date('2025-01-01T00:00:00Z'),
  updatedAt: new Date('2025-01-02T00:00:00Z'),
};

/** In-memory fixed windows with the repository's semantics. */
function countingRateLimits(): jest.Mocked<RateLimitRepository> {
  const windows = new Map<string, RateWindow>();
  const rateLimits = mockOf<RateLimitRepository>();
  rateLimits.peek.mockImplementation(async (bucket, windowSeconds, now) => {
    const w = windows.get(bucket);
    return w && w.windowStart.getTime() > now.getTime() - windowSeconds * 1000 ? { ...w } : null;
  });
  rateLimits.hit.mockImplementation(async (bucket, windowSeconds, now) => {
    const w = windows.get(bucket);
    const next =
      w && w.windowStart.getTime() > now.getTime() - windowSeconds * 1000
        ? { count: w.count + 1, windowStart: w.windowStart }
        : { count: 1, windowStart: now };
    windows.set(bucket, next);
    return { ...next };
  });
  return rateLimits;
}

describe(PasswordLogin.name, () => {
  let clock: FixedClock;
  let users: jest.Mocked<UserRepository>;
  let rateLimits: jest.Mocked<RateLimitRepository>;
  let hasher: jest.Mocked<PasswordHasher>;
  let sut: PasswordLogin;

  beforeEach(() => {
    clock = new FixedClock(new Date('2025-06-01T12:00:00Z'));
    users = mockOf<UserRepository>();
    users.findByUsername.mockImplementation(async (name) => (name.toLowerCase() === 'alice' ? ALICE : null));
    rateLimits = countingRateLimits();
    hasher = mockOf<PasswordHasher>();
    hasher.verify.mockImplementation(async (hash, password) => hash === ALICE.passwordHash && password === 'right password');
    hasher.verifyDummy.mockResolvedValue(false);
    sut = new PasswordLogin(config, clock, users, rateLimits, hasher);
  });

  async function failTimes(n: number, username = 'alice', clientId = 'client-1'): Promise<void> {
    for (let i = 0; i < n; i += 1) await sut.authenticate(username, 'wrong password', clientId);
  }

  it('returns the account for the right password', async () => {
    const account = await sut.authenticate('alice', 'right password', 'client-1');

    expect(account).toEqual({
      id: ALICE.id,
      username: 'Alice',
      claims: { email: 'alice@example.com' },
      createdAt: ALICE.createdAt,
      updatedAt: ALICE.updatedAt,
    });
  });

  it('never exposes the password hash', async () => {
    const account = await sut.authenticate('alice', 'right password', 'client-1');

    expect(JSON.stringify(account)).not.toContain(ALICE.passwordHash);
  });

  it('returns null for a wrong password', async () => {
    expect(await sut.authenticate('alice', 'wrong password', 'client-1')).toBeNull();
  });

  it('checks an unknown username against the dummy hash, so it costs what a wrong password costs', async () => {
    const result = await sut.authenticate('mallory', 'any password', 'client-1');

    expect(result).toBeNull();
    expect(hasher.verifyDummy).toHaveBeenCalledWith('any password');
    expect(hasher.verify).not.toHaveBeenCalled();
  });

  it('counts a failure for the lower-cased username and for the client', async () => {
    await sut.authenticate('ALICE', 'wrong password', 'client-1');

    expect(rateLimits.hit).toHaveBeenCalledWith('login:user:alice', WINDOW_SECONDS, clock.now());
    expect(rateLimits.hit).toHaveBeenCalledWith('login:client:client-1', WINDOW_SECONDS, clock.now());
  });

  it('counts failures for unknown usernames too', async () => {
    await sut.authenticate('mallory', 'x', 'client-1');

    expect(rateLimits.hit).toHaveBeenCalledWith('login:user:mallory', WINDOW_SECONDS, clock.now());
  });

  it('counts nothing for a success', async () => {
    await sut.authenticate('alice', 'right password', 'client-1');

    expect(rateLimits.hit).not.toHaveBeenCalled();
  });

  it('still accepts the right password after fewer failures than the limit', async () => {
    await failTimes(MAX_FAILURES - 1);

    expect(await sut.authenticate('alice', 'right password', 'client-1')).not.toBeNull();
  });

  it('refuses even the right password once the username reached the limit, without checking it', async () => {
    await failTimes(MAX_FAILURES);
    hasher.verify.mockClear();

    expect(await sut.authenticate('alice', 'right password', 'client-1')).toBeNull();
    expect(hasher.verify).not.toHaveBeenCalled();
  });

  it('applies the username limit whatever the letter case and the client', async () => {
    await failTimes(MAX_FAILURES, 'ALICE', 'client-1');

    expect(await sut.authenticate('alice', 'right password', 'client-2')).toBeNull();
  });

  it('lets the username in again once the window has passed', async () => {
    await failTimes(MAX_FAILURES);

    clock.advance(WINDOW_SECONDS);

    expect(await sut.authenticate('alice', 'right password', 'client-1')).not.toBeNull();
  });

  it('does not count blocked attempts, so the lock-out ends with the window', async () => {
    await failTimes(MAX_FAILURES);
    clock.advance(WINDOW_SECONDS - 1);
    await failTimes(5);

    clock.advance(1);

    expect(await sut.authenticate('alice', 'right password', 'client-1')).not.toBeNull();
  });

  it('leaves other usernames alone', async () => {
    await failTimes(MAX_FAILURES, 'bob');

    expect(await sut.authenticate('alice', 'right password', 'client-1')).not.toBeNull();
  });

  it('does not reset the counter of other usernames on a success', async () => {
    await failTimes(MAX_FAILURES, 'bob');
    await sut.authenticate('alice', 'right password', 'client-1');

    expect(await sut.authenticate('bob', 'anything', 'client-1')).toBeNull();
    expect((await rateLimits.peek('login:user:bob', WINDOW_SECONDS, clock.now()))?.count).toBe(MAX_FAILURES);
  });

  it('blocks a client that sprays many usernames', async () => {
    const limit = MAX_FAILURES * CLIENT_FAILURE_FACTOR;
    for (let i = 0; i < limit; i += 1) await sut.authenticate(`user${i}`, 'guess', 'sprayer');

    expect(await sut.authenticate('alice', 'right password', 'sprayer')).toBeNull();
    expect(await sut.authenticate('alice', 'right password', 'honest-client')).not.toBeNull();
  });

  it('keeps no client counter for the login page, so strangers cannot lock a client\'s users out', async () => {
    const limit = MAX_FAILURES * CLIENT_FAILURE_FACTOR;
    for (let i = 0; i < limit; i += 1) await sut.authenticate(`user${i}`, 'guess', null);

    expect(rateLimits.hit).not.toHaveBeenCalledWith(expect.stringMatching(/^login:client:/), WINDOW_SECONDS, clock.now());
    expect(await sut.authenticate('alice', 'right password', null)).not.toBeNull();
  });

  it('refuses a right password that finished after concurrent failures reached the limit', async () => {
    hasher.verify.mockImplementation(async (_hash, password) => {
      if (password !== 'right password') return false;
      // The wrong guesses sent together with this one are counted while it is being hashed.
      await failTimes(MAX_FAILURES);
      return true;
    });

    expect(await sut.authenticate('alice', 'right password', 'client-1')).toBeNull();
  });
});
