import { createHmac, randomInt, randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';

import { APP_CONFIG, AppConfig, Clock } from '@app/config';
import { MasterKeyCipher } from '@app/crypto';
import {
  Database,
  isCanonicalUuid,
  RateLimitRepository,
  Transaction,
  UserFactorRepository,
  UserRepository,
} from '@app/persistence';

import { base32Decode, matchTotpStep, newTotpSecret, otpauthUri } from './totp';

/** Factor types: TOTP (the one the admin API creates, CONTRACT §4) and passkeys (WebAuthn). */
export const FactorType = { Totp: 'totp', Passkey: 'passkey' } as const;
export type FactorType = (typeof FactorType)[keyof typeof FactorType];

/** A new TOTP secret and the URI an authenticator app reads it from; shown once. */
export interface TotpEnrolment {
  readonly secret: string;
  readonly otpauthUri: string;
}

/** A factor as listed: never its secret. */
export interface FactorSummary {
  readonly id: string;
  readonly type: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
}

/** What a code proved: a TOTP code of one of the user's factors, or one of their recovery codes. */
export type CodeCheck = 'totp' | 'recovery' | null;

/** Ten recovery codes of ten characters (50 bits each), shown once at enrolment. */
export const RECOVERY_CODE_COUNT = 10;
const RECOVERY_CODE_LENGTH = 10;
// Crockford's base32 letters, lower case: no i, l, o, u to misread.
const RECOVERY_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * Users' second factors: TOTP (RFC 6238) with secrets encrypted under MASTER_KEY, and recovery
 * codes stored as keyed hashes. Every code is accepted once (the factor's last step and the
 * recovery code's use are one UPDATE each), and failed codes count against the user like
 * failed passwords (LOGIN_MAX_FAILURES per LOGIN_WINDOW_SECONDS, shared by every instance):
 * the password is already known to whoever is guessing, so the count is per user.
 */
@Injectable()
export class FactorService {
  private readonly recoveryKey: Buffer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly db: Database,
    private readonly users: UserRepository,
    private readonly factors: UserFactorRepository,
    private readonly rateLimits: RateLimitRepository,
    private readonly cipher: MasterKeyCipher,
  ) {
    this.recoveryKey = cipher.deriveKey('recovery-code');
  }

  /** A new TOTP secret for `account` (the name an app shows), not yet stored. */
  newTotp(account: string): TotpEnrolment {
    const secret = newTotpSecret();
    return { secret, otpauthUri: otpauthUri(secret, this.issuerLabel(), account) };
  }

  /** The otpauth:// URI of `secret` for `account`, to show the same enrolment again. */
  otpauthUriOf(secret: string, account: string): string {
    return otpauthUri(secret, this.issuerLabel(), account);
  }

  /** An administrator adds a TOTP factor: stored at once, the secret shown this once. */
  async addTotp(userId: string, account: string): Promise<TotpEnrolment & { id: string }> {
    const enrolment = this.newTotp(account);
    const id = await this.store(userId, enrolment.secret, 0);
    return { id, ...enrolment };
  }

  /**
   * A user confirms the secret they were shown with a code of their app: the factor is stored
   * (already past that code's step) with new recovery codes, which are returned; null when the
   * code is wrong or the user is throttled.
   */
  async confirmTotp(
    userId: string,
    secret: string,
    code: string,
  ): Promise<{ factorId: string; recoveryCodes: string[] } | null> {
    if (await this.isThrottled(userId)) return null;
    const key = base32Decode(secret);
    const step = key && matchTotpStep(key, normalize(code), this.clock.nowSeconds());
    if (step === null || step === undefined) {
      await this.countFailure(userId);
      return null;
    }
    // One transaction under the user's row lock: the factor and its recovery codes exist
    // together or not at all, and a second post of the same form (or another enrolment at
    // once) finds the first factor and enrols nothing.
    const enrolled = await this.db.transaction(async (tx) => {
      await this.users.lockForChange(userId, tx);
      if (await this.factors.hasType(userId, FactorType.Totp, tx)) return null;
      const factorId = await this.store(userId, secret, step, tx);
      return { factorId, recoveryCodes: await this.newRecoveryCodes(userId, tx) };
    });
    if (enrolled) await this.rateLimits.clear(bucketOf(userId));
    return enrolled;
  }

  async list(userId: string): Promise<FactorSummary[]> {
    const records = await this.factors.findByUser(userId);
    return records.map(({ id, type, createdAt, lastUsedAt }) => ({
      id,
      type,
      createdAt,
      lastUsedAt,
    }));
  }

  /** True when the user has a TOTP factor. */
  async hasTotp(userId: string): Promise<boolean> {
    return (await this.factors.findByUser(userId)).some((f) => f.type === FactorType.Totp);
  }

  /**
   * Removes one factor; false when the user has none with that id. Recovery codes stand in for
   * the user's TOTP factors (confirmTotp issues them; a passkey's registration does not), so
   * when the last of these goes they go too, in the same transaction: removing a lost or stolen
   * authenticator leaves none of its codes usable, here or in place of an SMS or e-mail code.
   * The user's row is locked first, so two removals at once cannot each count the other's
   * factor as the one left.
   */
  async remove(userId: string, factorId: string): Promise<boolean> {
    if (!isCanonicalUuid(userId)) return false;
    return this.db.transaction(async (tx) => {
      await this.users.lockForChange(userId, tx);
      if (!(await this.factors.delete(userId, factorId, tx))) return false;
      await this.factors.deleteRecoveryCodesUnlessLeft(userId, FactorType.Totp, tx);
      return true;
    });
  }

  /**
   * Checks a code the user typed: a TOTP code of one of their factors, not used before, or one
   * of their unused recovery codes. Null, without looking, once the user is throttled.
   *
   * The attempt is counted before the code is looked at, by one statement that admits it only
   * while the window is below LOGIN_MAX_FAILURES; a right code then clears the count. Reading
   * the count, checking and then counting would let concurrent posts of one factor ticket all
   * pass the read before any was counted: as many guesses as requests (RFC 6238 §5.2 and
   * RFC 4226 §7.3 ask for a limit on attempts).
   */
  async verifyCode(userId: string, code: string): Promise<CodeCheck> {
    const bucket = bucketOf(userId);
    const { maxFailures, windowSeconds } = this.config.login;
    const attempt = await this.rateLimits.hitIfBelow(
      bucket,
      maxFailures,
      windowSeconds,
      this.clock.now(),
    );
    if (!attempt.admitted) return null;
    const typed = normalize(code);
    const result = /^\d{6}$/.test(typed)
      ? await this.verifyTotp(userId, typed)
      : await this.useRecoveryCode(userId, typed);
    if (result !== null) await this.rateLimits.clear(bucket);
    return result;
  }

  /** True once the user's failed codes reached LOGIN_MAX_FAILURES in the window. */
  async isThrottled(userId: string): Promise<boolean> {
    const window = await this.rateLimits.peek(
      bucketOf(userId),
      this.config.login.windowSeconds,
      this.clock.now(),
    );
    return (window?.count ?? 0) >= this.config.login.maxFailures;
  }

  /** Counts a failed second-factor attempt of any kind (TOTP, recovery, SMS or e-mail code). */
  async countFailure(userId: string): Promise<void> {
    await this.rateLimits.hit(bucketOf(userId), this.config.login.windowSeconds, this.clock.now());
  }

  /** Forgets the user's failed attempts after a passed second factor. */
  async clearFailures(userId: string): Promise<void> {
    await this.rateLimits.clear(bucketOf(userId));
  }

  private async verifyTotp(userId: string, code: string): Promise<CodeCheck> {
    const now = this.clock.now();
    for (const factor of await this.factors.findByUser(userId)) {
      if (factor.type !== FactorType.Totp || factor.secret === null) continue;
      const key = base32Decode(this.cipher.decryptString(factor.secret, contextOf(factor.id)));
      const step = key && matchTotpStep(key, code, Math.floor(now.getTime() / 1000));
      // RFC 6238 §5.2: the verifier must not accept the second attempt of the same OTP.
      if (step !== null && step !== undefined && (await this.factors.useStep(factor.id, step, now)))
        return 'totp';
    }
    return null;
  }

  private async useRecoveryCode(userId: string, code: string): Promise<CodeCheck> {
    if (code.length !== RECOVERY_CODE_LENGTH) return null;
    const used = await this.factors.useRecoveryCode(
      userId,
      this.hashRecoveryCode(userId, code),
      this.clock.now(),
    );
    return used ? 'recovery' : null;
  }

  private async newRecoveryCodes(userId: string, tx: Transaction): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () =>
      Array.from(
        { length: RECOVERY_CODE_LENGTH },
        () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)],
      ).join(''),
    );
    await this.factors.replaceRecoveryCodes(
      userId,
      codes.map((code) => ({ id: randomUUID(), codeHash: this.hashRecoveryCode(userId, code) })),
      this.clock.now(),
      tx,
    );
    // Shown in two halves, as people copy them down.
    return codes.map((code) => `${code.slice(0, 5)}-${code.slice(5)}`);
  }

  /** Keyed, so a stolen table does not give the codes to a brute force of 50 bits. */
  private hashRecoveryCode(userId: string, code: string): Buffer {
    return createHmac('sha256', this.recoveryKey).update(`${userId}\0${code}`).digest();
  }

  private async store(
    userId: string,
    secret: string,
    lastStep: number,
    tx?: Transaction,
  ): Promise<string> {
    const id = randomUUID();
    await this.factors.create(
      {
        id,
        userId,
        type: FactorType.Totp,
        secret: this.cipher.encrypt(secret, contextOf(id)),
        lastStep,
        createdAt: this.clock.now(),
      },
      tx,
    );
    return id;
  }

  /** The issuer apps show beside the account: the issuer's host. */
  private issuerLabel(): string {
    return new URL(this.config.issuer.url).host;
  }
}

/** What the user typed, without the spaces and dashes apps and code lists put in. */
function normalize(code: string): string {
  return code.replace(/[\s-]/g, '').toLowerCase();
}

function bucketOf(userId: string): string {
  return `mfa:user:${userId}`;
}

/** The AAD of a factor's secret: an envelope copied to another row does not decrypt. */
function contextOf(factorId: string): string {
  return `user_factor:${factorId}`;
}
