import { AppConfig, FixedClock } from '@app/config';
import { OAuthError } from '@app/errors';
import { DirectorySignIn } from '@app/ldap';
import { Metrics } from '@app/observability';
import {
  AuditLog,
  DIRECTORY_PASSWORD_HASH,
  RateLimitRepository,
  RateWindow,
  UserRecord,
  UserRepository,
} from '@app/persistence';

import { mockOf } from '../../../test/mocks';
import { PasswordHasher } from './password-hasher';
import {
  MAX_CHECKS_IN_FLIGHT_PER_ADDRESS,
  PasswordLogin,
  slowdownMs,
  unknownUserBucket,
  USERNAME_SLOWDOWN_FACTOR,
} from './password-login.service';

const MAX_FAILURES = 3;
const WINDOW_SECONDS = 900;
const config = { login: { maxFailures: MAX_FAILURES, windowSeconds: WINDOW_SECONDS } } as AppConfig;
const HOME = '192.0.2.10';
const ATTACKER = '198.51.100.66';
const AUDITED_ADDRESS = '203.0.113.50';

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
  rateLimits.clear.mockImplementation(async (bucket) => void windows.delete(bucket));
  rateLimits.peekCounts.mockImplementation(async (buckets, windowSeconds, now) =>
    Promise.all(
      buckets.map(async (b) => (await rateLimits.peek(b, windowSeconds, now))?.count ?? 0),
    ),
  );
  rateLimits.clearBelow.mockImplementation(async (bucket, limit, windowSeconds, now) => {
    const count = (await rateLimits.peek(bucket, windowSeconds, now))?.count ?? 0;
    if (count < limit) windows.delete(bucket);
    return count;
  });
  return rateLimits;
}

describe(PasswordLogin.name, () => {
  let clock: FixedClock;
  let users: jest.Mocked<UserRepository>;
  let rateLimits: jest.Mocked<RateLimitRepository>;
  let hasher: jest.Mocked<PasswordHasher>;
  let metrics: jest.Mocked<Metrics>;
  let audit: jest.Mocked<AuditLog>;
  let directories: jest.Mocked<DirectorySignIn>;
  let sut: PasswordLogin;

  beforeEach(() => {
    clock = new FixedClock(new Date('2025-06-01T12:00:00Z'));
    users = mockOf<UserRepository>();
    // The repository canonicalises; here any spelling of alice finds her.
    users.findByUsername.mockImplementation(async (name) =>
      name.toLowerCase() === 'alice' ? ALICE : null,
    );
    rateLimits = countingRateLimits();
    hasher = mockOf<PasswordHasher>();
    hasher.verify.mockImplementation(
      async (hash, password) => hash === ALICE.passwordHash && password === 'right password',
    );
    hasher.verifyDummy.mockResolvedValue(false);
    hasher.needsRehash.mockReturnValue(false);
    metrics = mockOf<Metrics>();
    metrics.countSignIn.mockReturnValue(undefined);
    audit = mockOf<AuditLog>();
    audit.recordQuietly.mockResolvedValue();
    directories = mockOf<DirectorySignIn>();
    directories.authenticate.mockResolvedValue({ kind: 'unknown' });
    sut = new PasswordLogin(config, clock, users, rateLimits, hasher, metrics, directories, audit);
  });

  it('records each sign-in with its reason class, never the password', async () => {
    await sut.authenticate('alice', 'right password', AUDITED_ADDRESS);
    await sut.authenticate('alice', 'wrong password', AUDITED_ADDRESS);
    await sut.authenticate('mallory', 'wrong password', AUDITED_ADDRESS);

    expect(audit.recordQuietly.mock.calls.map(([event]) => event)).toEqual([
      {
        type: 'signin',
        outcome: 'success',
        subject: ALICE.id,
        ip: AUDITED_ADDRESS,
        details: { method: 'password' },
      },
      {
        type: 'signin',
        outcome: 'failure',
        subject: ALICE.id,
        ip: AUDITED_ADDRESS,
        details: { method: 'password', reason: 'wrong_password' },
      },
      {
        type: 'signin',
        outcome: 'failure',
        subject: null,
        ip: AUDITED_ADDRESS,
        details: { method: 'password', reason: 'unknown_user' },
      },
    ]);
    expect(JSON.stringify(audit.recordQuietly.mock.calls)).not.toMatch(
      /right password|wrong password/,
    );
  });

  it('records a throttled attempt as such', async () => {
    await failTimes(config.login.maxFailures);
    audit.recordQuietly.mockClear();

    await sut.authenticate('alice', 'right password', ATTACKER);

    expect(audit.recordQuietly).toHaveBeenCalledWith(
      expect.objectContaining({
        outcome: 'failure',
        ip: ATTACKER,
        details: { method: 'password', reason: 'throttled' },
      }),
    );
  });

  describe('with directories (CONTRACT §4)', () => {
    const BOB: UserRecord = {
      ...ALICE,
      id: '0b1d7e44-5d3c-4a2e-8f7b-1c2d3e4f5a6b',
      username: 'bob',
      passwordHash: DIRECTORY_PASSWORD_HASH,
    };

    it('never asks a directory about a local user with a password', async () => {
      await sut.authenticate('alice', 'wrong password', HOME);

      expect(directories.authenticate).not.toHaveBeenCalled();
    });

    it('signs in the user a directory signed in, without checking a local hash', async () => {
      directories.authenticate.mockResolvedValue({ kind: 'signed_in', user: BOB });

      const account = await sut.authenticate('bob', 'directory password', HOME);

      expect(account?.id).toBe(BOB.id);
      expect(hasher.verify).not.toHaveBeenCalled();
    });

    it('counts a password a directory refused like a wrong local one', async () => {
      directories.authenticate.mockResolvedValue({ kind: 'refused' });

      for (let i = 0; i < MAX_FAILURES; i += 1) await sut.authenticate('bob', 'wrong', ATTACKER);
      directories.authenticate.mockResolvedValue({ kind: 'signed_in', user: BOB });

      expect(await sut.authenticate('bob', 'directory password', ATTACKER)).toBeNull();
      expect(await sut.authenticate('bob', 'directory password', HOME)).not.toBeNull();
    });

    it('counts nothing when the directory does not answer', async () => {
      directories.authenticate.mockRejectedValue(
        new OAuthError('temporarily_unavailable', 'down', { retryAfterSeconds: 5 }),
      );

      await expect(sut.authenticate('bob', 'x', ATTACKER)).rejects.toMatchObject({
        code: 'temporarily_unavailable',
      });
      expect(rateLimits.hit).not.toHaveBeenCalled();
    });
  });

  async function failTimes(n: number, address = ATTACKER, username = 'alice'): Promise<void> {
    for (let i = 0; i < n; i += 1) await sut.authenticate(username, 'wrong password', address);
  }

  it('returns the account, without its password hash, for the right password', async () => {
    const account = await sut.authenticate('alice', 'right password', HOME);

    expect(account).toEqual({
      id: ALICE.id,
      username: 'Alice',
      claims: { email: 'alice@example.com' },
      source: 'local',
      createdAt: ALICE.createdAt,
      updatedAt: ALICE.updatedAt,
    });
    expect(JSON.stringify(account)).not.toContain(ALICE.passwordHash);
  });

  it('returns null for a wrong password', async () => {
    expect(await sut.authenticate('alice', 'wrong password', HOME)).toBeNull();
  });

  it('counts a success for the right password and a failure for a wrong one or an unknown user', async () => {
    await sut.authenticate('alice', 'right password', HOME);
    await sut.authenticate('alice', 'wrong password', HOME);
    await sut.authenticate('mallory', 'any password', HOME);

    expect(metrics.countSignIn.mock.calls).toEqual([['success'], ['failure'], ['failure']]);
  });

  it('checks an unknown username against the dummy hash and counts it in a shared bucket, as it would a user', async () => {
    const result = await sut.authenticate('mallory', 'any password', ATTACKER);

    expect(result).toBeNull();
    expect(hasher.verifyDummy).toHaveBeenCalledWith('any password', ATTACKER);
    expect(hasher.verify).not.toHaveBeenCalled();
    const bucket = unknownUserBucket('mallory');
    expect(rateLimits.hit).toHaveBeenCalledWith(
      `login:user-address:${bucket}:${ATTACKER}`,
      WINDOW_SECONDS,
      clock.now(),
    );
    expect(rateLimits.hit).toHaveBeenCalledWith(
      `login:user:${bucket}`,
      WINDOW_SECONDS,
      clock.now(),
    );
  });

  it('throttles an unknown username as it would a user, so throttling tells no name apart', async () => {
    await failTimes(MAX_FAILURES, ATTACKER, 'mallory');
    hasher.verifyDummy.mockClear();

    expect(await sut.authenticate('mallory', 'x', ATTACKER)).toBeNull();
    expect(hasher.verifyDummy).toHaveBeenCalledTimes(1);
    expect(rateLimits.hit).toHaveBeenCalledTimes(2 * MAX_FAILURES);
  });

  it('counts a failure for the user from the address and for the user overall, by user id', async () => {
    await sut.authenticate('ALICE', 'wrong password', ATTACKER);

    expect(rateLimits.hit).toHaveBeenCalledWith(
      `login:user-address:${ALICE.id}:${ATTACKER}`,
      WINDOW_SECONDS,
      clock.now(),
    );
    expect(rateLimits.hit).toHaveBeenCalledWith(
      `login:user:${ALICE.id}`,
      WINDOW_SECONDS,
      clock.now(),
    );
  });

  it('counts an IPv6 /64 as one address', async () => {
    await sut.authenticate('alice', 'wrong password', '2001:db8:0:1::5');

    expect(rateLimits.hit).toHaveBeenCalledWith(
      `login:user-address:${ALICE.id}:2001:db8:0:1::/64`,
      WINDOW_SECONDS,
      clock.now(),
    );
  });

  it('still accepts the right password after fewer failures than the limit', async () => {
    await failTimes(MAX_FAILURES - 1, HOME);

    expect(await sut.authenticate('alice', 'right password', HOME)).not.toBeNull();
  });

  it('refuses even the right password from an address past the limit, doing the same work without checking it', async () => {
    await failTimes(MAX_FAILURES, ATTACKER);
    hasher.verify.mockClear();
    hasher.verifyDummy.mockClear();

    expect(await sut.authenticate('alice', 'right password', ATTACKER)).toBeNull();
    expect(hasher.verify).not.toHaveBeenCalled();
    expect(hasher.verifyDummy).toHaveBeenCalledTimes(1);
  });

  it('lets the user in from another address while one address is throttled: a stranger cannot lock them out', async () => {
    await failTimes(MAX_FAILURES, ATTACKER);

    expect(await sut.authenticate('alice', 'right password', HOME)).not.toBeNull();
  });

  it('lets the address in again once the window has passed', async () => {
    await failTimes(MAX_FAILURES, HOME);

    clock.advance(WINDOW_SECONDS);

    expect(await sut.authenticate('alice', 'right password', HOME)).not.toBeNull();
  });

  it('does not count throttled attempts, so the throttle ends with the window', async () => {
    await failTimes(MAX_FAILURES, HOME);
    clock.advance(WINDOW_SECONDS - 1);
    await failTimes(5, HOME);

    clock.advance(1);

    expect(await sut.authenticate('alice', 'right password', HOME)).not.toBeNull();
  });

  it("forgets the address's failures after a success from it", async () => {
    await failTimes(MAX_FAILURES - 1, HOME);
    await sut.authenticate('alice', 'right password', HOME);

    await failTimes(MAX_FAILURES - 1, HOME);

    expect(await sut.authenticate('alice', 'right password', HOME)).not.toBeNull();
  });

  it('refuses a right password that finished after concurrent failures from its address reached the limit', async () => {
    hasher.verify.mockImplementation(async (_hash, password) => {
      if (password !== 'right password') return false;
      // The wrong guesses sent together with this one are counted while it is being hashed.
      await failTimes(MAX_FAILURES, ATTACKER);
      return true;
    });

    expect(await sut.authenticate('alice', 'right password', ATTACKER)).toBeNull();
  });

  it(`refuses more than ${MAX_CHECKS_IN_FLIGHT_PER_ADDRESS} checks in flight from one address with slow_down (429)`, async () => {
    const pending: Array<() => void> = [];
    hasher.verifyDummy.mockImplementation(
      () => new Promise((resolve) => pending.push(() => resolve(false))),
    );
    const inFlight = Array.from({ length: MAX_CHECKS_IN_FLIGHT_PER_ADDRESS }, (_, i) =>
      sut.authenticate(`u${i}`, 'x', ATTACKER),
    );

    const refused = await sut.authenticate('u-extra', 'x', ATTACKER).catch((e: unknown) => e);
    const otherAddress = sut.authenticate('alice', 'right password', HOME);

    expect(refused).toBeInstanceOf(OAuthError);
    expect((refused as OAuthError).code).toBe('slow_down');
    expect((refused as OAuthError).status).toBe(429);
    expect((refused as OAuthError).options.retryAfterSeconds).toBeGreaterThan(0);
    expect(await otherAddress).not.toBeNull();
    // A refusal before any check is not a sign-in: only alice's success from HOME is counted.
    expect(metrics.countSignIn.mock.calls).toEqual([['success']]);
    while (pending.length < MAX_CHECKS_IN_FLIGHT_PER_ADDRESS) await Promise.resolve();
    pending.forEach((release) => release());
    await Promise.all(inFlight);
    // Places are given back when checks end.
    hasher.verifyDummy.mockResolvedValue(false);
    expect(await sut.authenticate('u-after', 'x', ATTACKER)).toBeNull();
  });
});

describe(unknownUserBucket.name, () => {
  it('puts every spelling of a name in one bucket, and any name in one of 65,536', () => {
    expect(unknownUserBucket('Mallory')).toBe(unknownUserBucket('ＭＡＬＬＯＲＹ'));
    // As a directory compares names (RFC 4518 §2.6.1): spaces around a name do not count, and a
    // run of them inside it is one.
    for (const spelling of [' mallory', 'mallory ', '\u3000mallory\t']) {
      expect(unknownUserBucket(spelling)).toBe(unknownUserBucket('mallory'));
    }
    expect(unknownUserBucket('mallory  smith')).toBe(unknownUserBucket('Mallory Smith'));
    expect(unknownUserBucket('mallorysmith')).not.toBe(unknownUserBucket('mallory smith'));
    for (let i = 0; i < 1000; i += 1)
      expect(unknownUserBucket(`name-${i}`)).toMatch(/^unknown-[0-9a-f]{4}$/);
  });
});

describe(slowdownMs.name, () => {
  const threshold = MAX_FAILURES * USERNAME_SLOWDOWN_FACTOR;

  it('does not slow a username below ten times the limit', () => {
    expect(slowdownMs(threshold - 1, MAX_FAILURES)).toBe(0);
  });

  it('slows it past that, more the more it fails, up to a cap', () => {
    const first = slowdownMs(threshold, MAX_FAILURES);
    const later = slowdownMs(threshold + 2 * MAX_FAILURES, MAX_FAILURES);

    expect(first).toBeGreaterThan(0);
    expect(later).toBeGreaterThan(first);
    expect(slowdownMs(threshold * 1000, MAX_FAILURES)).toBe(
      slowdownMs(threshold * 2000, MAX_FAILURES),
    );
  });
});
