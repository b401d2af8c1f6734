import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { Inject, Injectable } from '@nestjs/common';

import { APP_CONFIG, AppConfig, Clock } from '@app/config';
import { OAuthError } from '@app/errors';
import { DirectorySignIn } from '@app/ldap';
import { Metrics } from '@app/observability';
import {
  AuditLog,
  canonicalUsername,
  DIRECTORY_PASSWORD_HASH,
  RateLimitRepository,
  UserRecord,
  UserRepository,
} from '@app/persistence';

import { clientAddressKey } from './client-address';
import { PasswordHasher } from './password-hasher';
import { toUserAccount, UserAccount } from './user-account';

/** Password checks one client address may have in flight on one instance (CONTRACT §2). */
export const MAX_CHECKS_IN_FLIGHT_PER_ADDRESS = 32;

/**
 * Past this many times LOGIN_MAX_FAILURES over all addresses, a username's checks are slowed
 * (never refused): a spray from many addresses gets slower, its owner still signs in.
 */
export const USERNAME_SLOWDOWN_FACTOR = 10;

/** The slow-down: this much per LOGIN_MAX_FAILURES beyond the threshold, doubling, capped. */
const SLOWDOWN_BASE_MS = 250;
const SLOWDOWN_MAX_MS = 4000;

/** Why a check failed, for the audit record (the answer itself never says). */
type FailureReason = 'unknown_user' | 'wrong_password' | 'throttled';

interface CheckResult {
  readonly account: UserAccount | null;
  /** The user the username named, if any (the audit event's subject). */
  readonly userId: string | null;
  readonly reason: FailureReason | null;
}

function failed(userId: string | null, reason: FailureReason): CheckResult {
  return { account: null, userId, reason };
}

/** The delay of a check for a username with `failures` failures in the window. */
export function slowdownMs(failures: number, maxFailures: number): number {
  const beyond = failures - maxFailures * USERNAME_SLOWDOWN_FACTOR;
  if (beyond < 0) return 0;
  return Math.min(SLOWDOWN_MAX_MS, SLOWDOWN_BASE_MS * 2 ** Math.floor(beyond / maxFailures));
}

/**
 * Checks a username and password for the password grant and the login page, with the limits
 * of CONTRACT §2, counted in PostgreSQL so they hold across instances and restarts (as the
 * OWASP Authentication Cheat Sheet and Keycloak's brute-force detection do):
 *
 * - failures count per user and client address: past LOGIN_MAX_FAILURES in the window, that
 *   address's attempts for that user fail without a password check until the window passes,
 *   while the user still signs in from anywhere else, so a stranger cannot lock them out;
 * - failures of a user over all addresses past ten times the limit slow its checks down;
 * - an address may have MAX_CHECKS_IN_FLIGHT_PER_ADDRESS checks in flight (429 beyond), and
 *   the hash queue is fair between addresses and bounded (503 beyond), so a flood costs the
 *   flooder its own turn, not everyone's.
 *
 * Unknown usernames are counted like known ones, in 65,536 shared buckets, so the answer, the
 * work and the throttling are the same either way, and made-up names write a bounded number
 * of counters.
 */
@Injectable()
export class PasswordLogin {
  private readonly inFlight = new Map<string, number>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly users: UserRepository,
    private readonly rateLimits: RateLimitRepository,
    private readonly hasher: PasswordHasher,
    private readonly metrics: Metrics,
    private readonly directories: DirectorySignIn,
    private readonly audit: AuditLog,
  ) {}

  /**
   * The user when `password` is theirs, else null. An unknown username, a wrong password and a
   * throttled attempt cost one hash each and answer the same. `clientAddress` is the address of
   * the HTTP client (the browser, or the client application for the password grant).
   */
  async authenticate(
    username: string,
    password: string,
    clientAddress: string | null,
  ): Promise<UserAccount | null> {
    const address = clientAddressKey(clientAddress);
    const release = this.admit(address);
    try {
      const { account, userId, reason } = await this.check(username, password, address);
      this.metrics.countSignIn(account ? 'success' : 'failure');
      // CONTRACT §5: every sign-in, with the reason class of a failure, never the password.
      await this.audit.recordQuietly({
        type: 'signin',
        outcome: account ? 'success' : 'failure',
        subject: userId,
        ip: clientAddress,
        details: { method: 'password', ...(reason ? { reason } : {}) },
      });
      return account;
    } finally {
      release();
    }
  }

  private async check(typed: string, password: string, address: string): Promise<CheckResult> {
    // RFC 4518 §2.6.1: a directory matches a name without regard to the spaces around it (and
    // folds runs of them inside it), so " alice" and "alice " find alice's entry. Counted apart
    // from "alice", each such spelling had a failure budget of its own. No username begins or
    // ends with white space here (the admin API refuses it), so nothing is lost by trimming;
    // runs inside a name share one unknown-username bucket (unknownUserBucket).
    const username = typed.trim();
    const user = await this.users.findByUsername(username);
    // An unknown username goes the same way as a known one (the same reads, writes, slow-down
    // and hash) under one of a bounded set of shared buckets, so neither the time nor the
    // throttling of an answer tells which usernames exist.
    const buckets = failureBuckets(user?.id ?? unknownUserBucket(username), address);
    const { maxFailures } = this.config.login;
    const [fromAddress, overall] = await this.failureCounts(buckets);
    // Throttled: no check of the password, but the same work, so the answer tells nothing.
    if (fromAddress >= maxFailures)
      return this.hasher
        .verifyDummy(password, address)
        .then(() => failed(user?.id ?? null, 'throttled'));
    const delay = slowdownMs(overall, maxFailures);
    if (delay > 0) await sleep(delay);

    const fromDirectory = await this.checkDirectories(user, username, password);
    const signedIn =
      fromDirectory === undefined ? await this.checkLocal(user, password, address) : fromDirectory;
    if (!signedIn) {
      const now = this.clock.now();
      const window = this.config.login.windowSeconds;
      await Promise.all([
        this.rateLimits.hit(buckets.address, window, now),
        this.rateLimits.hit(buckets.user, window, now),
      ]);
      return failed(user?.id ?? null, user ? 'wrong_password' : 'unknown_user');
    }
    // Checked again after the slow hash: of many guesses sent at once, only those finished before
    // the failures reached the limit can succeed, so concurrency buys no extra guesses. Below the
    // limit the address's failures are forgotten in the same statement.
    const fromAddressNow = await this.rateLimits.clearBelow(
      buckets.address,
      maxFailures,
      this.config.login.windowSeconds,
      this.clock.now(),
    );
    if (fromAddressNow >= maxFailures) return failed(signedIn.id, 'throttled');
    // A local password just checked: an imported or weaker hash becomes the server's own.
    if (fromDirectory === undefined)
      await this.upgradeHash(signedIn.id, signedIn.passwordHash, password, address);
    return { account: toUserAccount(signedIn), userId: signedIn.id, reason: null };
  }

  private async checkLocal(
    user: UserRecord | null,
    password: string,
    address: string,
  ): Promise<UserRecord | null> {
    const matches = user
      ? await this.hasher.verify(user.passwordHash, password, address)
      : await this.hasher.verifyDummy(password, address);
    return matches ? user : null;
  }

  /**
   * CONTRACT §4 directories: a local user with a password signs in here; any other username
   * (unknown, or a directory user's) is asked of the directories, in creation order. Undefined
   * when no directory has it; null for a wrong password there, counted like a local one. A
   * directory that does not answer throws temporarily_unavailable before anything is counted.
   */
  private async checkDirectories(
    user: UserRecord | null,
    username: string,
    password: string,
  ): Promise<UserRecord | null | undefined> {
    if (user && user.passwordHash !== DIRECTORY_PASSWORD_HASH) return undefined;
    const outcome = await this.directories.authenticate(username, password);
    if (outcome.kind === 'unknown') return undefined;
    return outcome.kind === 'signed_in' ? outcome.user : null;
  }

  /**
   * An imported hash (bcrypt, PBKDF2, argon2i/d) or a weaker argon2id, just checked, is replaced
   * by the server's own: the password is at hand only now. Only the very hash that was checked is
   * replaced, so a password changed meanwhile is kept; a failure leaves the old hash to try again.
   */
  private async upgradeHash(
    userId: string,
    checked: string,
    password: string,
    address: string,
  ): Promise<void> {
    if (checked === DIRECTORY_PASSWORD_HASH || !this.hasher.needsRehash(checked)) return;
    try {
      const upgraded = await this.hasher.hash(password, address);
      await this.users.replacePasswordHash(userId, checked, upgraded);
    } catch {
      // The sign-in succeeded; the upgrade is tried again at the next one.
    }
  }

  /** Takes one of the address's in-flight places; 429 when it has none left. */
  private admit(address: string): () => void {
    const current = this.inFlight.get(address) ?? 0;
    if (current >= MAX_CHECKS_IN_FLIGHT_PER_ADDRESS) {
      throw new OAuthError(
        'slow_down',
        'Too many sign-in attempts at once from this address; try again shortly.',
        {
          retryAfterSeconds: 1,
          detail: `${current} password checks in flight for ${address}`,
        },
      );
    }
    this.inFlight.set(address, current + 1);
    return () => {
      const left = (this.inFlight.get(address) ?? 1) - 1;
      if (left > 0) this.inFlight.set(address, left);
      else this.inFlight.delete(address);
    };
  }

  /** The failures from this address and from everywhere, in the current window. */
  private async failureCounts(buckets: FailureBuckets): Promise<[number, number]> {
    const [address, user] = await this.rateLimits.peekCounts(
      [buckets.address, buckets.user],
      this.config.login.windowSeconds,
      this.clock.now(),
    );
    return [address, user];
  }
}

interface FailureBuckets {
  /** Failures of the user from one client address. */
  readonly address: string;
  /** Failures of the user from every address. */
  readonly user: string;
}

/** Keyed by user id, never by the typed username, so every spelling of a name counts once. */
function failureBuckets(userId: string, address: string): FailureBuckets {
  return { address: `login:user-address:${userId}:${address}`, user: `login:user:${userId}` };
}

/**
 * The shared bucket of an unknown username: one of 65,536, by the hash of its canonical form
 * with every run of white space as one space (as a directory compares names), so made-up
 * usernames cannot write more than that many counters per address and window, and no spelling
 * of a name a directory would match gets a budget of its own.
 */
export function unknownUserBucket(username: string): string {
  const key = canonicalUsername(username.trim()).replace(/\s+/gu, ' ');
  return `unknown-${createHash('sha256').update(key).digest('hex').slice(0, 4)}`;
}
