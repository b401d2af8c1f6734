import { Inject, Injectable } from '@nestjs/common';

import { APP_CONFIG, AppConfig, Clock } from '@app/config';
import { RateLimitRepository, UserRepository } from '@app/persistence';

import { PasswordHasher } from './password-hasher';
import { UserAccount, UserClaims } from './user-account';

/**
 * An authenticated client (password grant) may fail this many times the per-user limit in a
 * window (password spraying through one client's credentials).
 */
export const CLIENT_FAILURE_FACTOR = 10;

/**
 * Checks a username and password for the password grant and the login page, with the
 * brute-force limits of CONTRACT §2 (LOGIN_MAX_FAILURES / LOGIN_WINDOW_SECONDS), counted in
 * PostgreSQL so they hold across instances and restarts.
 */
@Injectable()
export class PasswordLogin {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly users: UserRepository,
    private readonly rateLimits: RateLimitRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  /**
   * The user when `password` is theirs, else null. An unknown username and a wrong password
   * cost the same and answer the same. Past the failure limit for the username within the
   * window, answers null without checking the password until the window has passed: a fixed
   * window, so never a permanent lock-out.
   *
   * `clientId` is the client that authenticated with its own credentials (password grant); its
   * failures are limited too. The login page passes null: anyone can reach it for any client,
   * so a per-client limit there would let a stranger lock every user of a client out.
   */
  async authenticate(username: string, password: string, clientId: string | null): Promise<UserAccount | null> {
    const buckets = this.bucketsFor(username, clientId);
    if (await this.isBlocked(buckets)) return null;

    const user = await this.users.findByUsername(username);
    const matches = user
      ? await this.hasher.verify(user.passwordHash, password)
      : await this.hasher.verifyDummy(password);

    if (!user || !matches) {
      const now = this.clock.now();
      const window = this.config.login.windowSeconds;
      await Promise.all([
        this.rateLimits.hit(buckets.user, window, now),
        buckets.client ? this.rateLimits.hit(buckets.client, window, now) : null,
      ]);
      return null;
    }
    // Checked again after the slow hash: of many guesses sent at once, only those finished before
    // the failures reached the limit can succeed, so concurrency buys no extra guesses.
    if (await this.isBlocked(buckets)) return null;
    return {
      id: user.id,
      username: user.username,
      claims: user.claims as UserClaims,
      createdAt: user.createdAt,
      updatedAt: user.updatedAt,
    };
  }

  private bucketsFor(username: string, clientId: string | null): { user: string; client: string | null } {
    // Lower-cased like the unique index, so "Alice" and "alice" share one counter.
    return { user: `login:user:${username.toLowerCase()}`, client: clientId ? `login:client:${clientId}` : null };
  }

  private async isBlocked(buckets: { user: string; client: string | null }): Promise<boolean> {
    const now = this.clock.now();
    const { maxFailures, windowSeconds } = this.config.login;
    const [user, client] = await Promise.all([
      this.rateLimits.peek(buckets.user, windowSeconds, now),
      buckets.client ? this.rateLimits.peek(buckets.client, windowSeconds, now) : null,
    ]);
    return (user?.count ?? 0) >= maxFailures || (client?.count ?? 0) >= maxFailures * CLIENT_FAILURE_FACTOR;
  }
}
