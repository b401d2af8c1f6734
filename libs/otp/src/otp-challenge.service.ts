import { createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';

import { Inject, Injectable, Logger } from '@nestjs/common';

import { APP_CONFIG, AppConfig, Clock } from '@app/config';
import { hashToken, MasterKeyCipher, randomToken } from '@app/crypto';
import { OAuthError } from '@app/errors';
import { OtpChallengeRecord, OtpChallengeRepository, RateLimitRepository } from '@app/persistence';

import { DevelopmentOtpSender } from './development-otp.sender';
import { OtpChannel } from './otp-channel';
import { buildOtpMessage, checkOtpMessageTexts, OtpMessage, OtpMessageTexts } from './otp-message';
import { OtpDeliveryError } from './otp-sender';
import { OtpUsername, readOtpUsername } from './otp-username';
import { SmsOtpSender } from './sms-otp.sender';
import { SmtpOtpSender } from './smtp-otp.sender';

const SEND_WINDOW_SECONDS = 3600;
/** The `grant_type` of second-factor challenges: no grant's reference is one of them. */
const SECOND_FACTOR_PURPOSE = 'urn:uas:login:second-factor';

/** An initiate call: who asks, for whom, and the client's optional texts. */
export interface OtpInitiateRequest extends OtpMessageTexts {
  readonly channel: OtpChannel;
  readonly clientId: string;
  /** The grant_type wire value; a reference is valid only with the same one. */
  readonly grantType: string;
  /** As the client sent it; read here. */
  readonly username: string | undefined;
}

/** A validate call: the reference from the initiate answer and the OTP the user received. */
export interface OtpValidateRequest {
  readonly channel: OtpChannel;
  readonly clientId: string;
  readonly grantType: string;
  readonly reference: string;
  readonly code: string | undefined;
  /** Optional on validation; when sent it must name the challenge's username. */
  readonly username: string | undefined;
}

/**
 * The challenge flow both OTP grants share (CONTRACT "One-time password grants"): initiate
 * sends an OTP and returns an opaque reference; validate consumes the reference and checks
 * the OTP. The OTP is stored only as an HMAC under a key derived from MASTER_KEY and bound
 * to its challenge; the reference (256 random bits) only as its SHA-256.
 */
@Injectable()
export class OtpChallengeService {
  private readonly logger = new Logger('Otp');
  private readonly codeKey: Buffer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly challenges: OtpChallengeRepository,
    private readonly rateLimits: RateLimitRepository,
    private readonly sms: SmsOtpSender,
    private readonly smtp: SmtpOtpSender,
    private readonly development: DevelopmentOtpSender,
    cipher: MasterKeyCipher,
  ) {
    this.codeKey = cipher.deriveKey('otp-code');
  }

  /**
   * True when OTPs can be sent over `channel`: its gateway or SMTP server is configured, or
   * the server runs in embedded development mode (messages go to the log).
   */
  isAvailable(channel: OtpChannel): boolean {
    return this.deliveryFor(channel) !== null;
  }

  /**
   * True when a second-factor code can go to `recipient` over `channel`: the channel is set up
   * and the recipient is a valid MSISDN or address for it (a stored number may be one the OTP
   * grants would refuse, e.g. `12345`: offering it would promise a code that is never sent).
   */
  canSendSecondFactor(channel: OtpChannel, recipient: string): boolean {
    return this.isAvailable(channel) && readRecipient(channel, recipient) !== null;
  }

  /**
   * Sends a new OTP and returns the reference of its challenge; the username's earlier
   * references for this grant type stop working. invalid_request for a bad username or texts;
   * 429 slow_down with Retry-After past OTP_SENDS_PER_HOUR for the username (nothing sent);
   * 503 temporarily_unavailable when the send fails (nothing stored, nothing spent).
   */
  async initiate(request: OtpInitiateRequest): Promise<{ reference: string }> {
    const deliver = this.deliveryFor(request.channel);
    // The grant stays advertised (the seed's metadata is the floor, CONTRACT §3); without a
    // sender it answers as a failed send does: 503, no reference, and here which setting is
    // missing, for the operator.
    if (deliver === null)
      throw new OAuthError(
        'temporarily_unavailable',
        request.channel === OtpChannel.Sms
          ? 'No SMS gateway is configured (SMS_GATEWAY_URL).'
          : 'No SMTP server is configured (SMTP_URL).',
      );
    const username = readOtpUsername(request.channel, request.username);
    const texts = presentTexts(request);
    checkOtpMessageTexts(texts);
    return this.send(deliver, request, username, texts);
  }

  /**
   * Sends a second-factor code of the login page to a user's own verified number or address,
   * under the same send limit as the grants (429 slow_down) and the same storage; returns the
   * reference, or null when the channel is not available or `recipient` is no valid MSISDN or
   * address for it.
   */
  async sendSecondFactor(request: {
    channel: OtpChannel;
    clientId: string;
    recipient: string;
    uiLocales: string | null;
  }): Promise<{ reference: string } | null> {
    const deliver = this.deliveryFor(request.channel);
    const username = deliver && readRecipient(request.channel, request.recipient);
    if (!deliver || !username) return null;
    return this.send(deliver, { ...request, grantType: SECOND_FACTOR_PURPOSE }, username, {
      uiLocales: request.uiLocales ?? undefined,
    });
  }

  /** True when `code` is the one sent for `reference` (used up by this check, right or wrong). */
  async checkSecondFactor(request: {
    channel: OtpChannel;
    clientId: string;
    reference: string;
    code: string;
  }): Promise<boolean> {
    const challenge = await this.challenges.consume(
      hashToken(request.reference),
      request.clientId,
      SECOND_FACTOR_PURPOSE,
      this.clock.now(),
    );
    return (
      challenge !== null &&
      timingSafeEqual(challenge.codeHash, this.hashCode(challenge, request.code.trim()))
    );
  }

  private async send(
    deliver: (message: OtpMessage) => Promise<void>,
    request: { channel: OtpChannel; clientId: string; grantType: string },
    username: OtpUsername,
    texts: OtpMessageTexts,
  ): Promise<{ reference: string }> {
    await this.admitSend(username.key);

    const code = this.generateCode();
    try {
      await deliver(buildOtpMessage(username.value, code, texts));
    } catch (error) {
      this.logger.warn(`OTP ${request.channel} delivery failed: ${describeFailure(error)}`);
      throw new OAuthError(
        'temporarily_unavailable',
        'The one-time password could not be sent; try again later.',
        {
          detail: describeFailure(error),
        },
      );
    }

    const reference = randomToken(32);
    const now = this.clock.now();
    const challenge = {
      id: randomUUID(),
      referenceHash: hashToken(reference),
      clientId: request.clientId,
      grantType: request.grantType,
      username: username.value,
      usernameKey: username.key,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.config.otp.ttlSeconds * 1000),
    };
    await this.challenges.create({ ...challenge, codeHash: this.hashCode(challenge, code) });
    return { reference };
  }

  /**
   * Consumes the reference (its first validation, right or wrong, uses it up) and returns
   * the challenge's username (as sent, for `sub`) when the OTP matches. Every failure after the
   * parameter checks is the same invalid_grant: unknown, forged, expired, used, another
   * client's or grant's reference, a wrong OTP, or another username.
   */
  async validate(request: OtpValidateRequest): Promise<{ username: string }> {
    if (request.code === undefined || request.code === '') {
      throw new OAuthError(
        'invalid_request',
        'The x_globalsign_iam_otp_code parameter is missing.',
      );
    }
    const claimed =
      request.username === undefined || request.username === ''
        ? null
        : readOtpUsername(request.channel, request.username).value;
    const challenge = await this.challenges.consume(
      hashToken(request.reference),
      request.clientId,
      request.grantType,
      this.clock.now(),
    );
    const codeMatches =
      challenge !== null &&
      timingSafeEqual(challenge.codeHash, this.hashCode(challenge, request.code.trim()));
    if (!challenge || !codeMatches || (claimed !== null && claimed !== challenge.username)) {
      throw new OAuthError('invalid_grant', 'The one-time password or its reference is invalid.');
    }
    return { username: challenge.username };
  }

  private deliveryFor(channel: OtpChannel): ((message: OtpMessage) => Promise<void>) | null {
    const sender = channel === OtpChannel.Sms ? this.sms : this.smtp;
    if (sender.isConfigured()) return (message) => sender.send(message);
    // Embedded development mode only: a new user can try both grants without a gateway.
    if (this.config.database.url === null)
      return (message) => this.development.send(channel, message);
    return null;
  }

  /**
   * Counts one send to the recipient `usernameKey` (every spelling of one number counts
   * together) in PostgreSQL (all instances), or 429 past the hourly limit.
   */
  private async admitSend(usernameKey: string): Promise<void> {
    const now = this.clock.now();
    const window = await this.rateLimits.hitIfBelow(
      `otp_sends:${usernameKey}`,
      this.config.otp.sendsPerHour,
      SEND_WINDOW_SECONDS,
      now,
    );
    if (!window.admitted) {
      const retryAfterSeconds = Math.max(
        1,
        Math.ceil(
          (window.windowStart.getTime() + SEND_WINDOW_SECONDS * 1000 - now.getTime()) / 1000,
        ),
      );
      throw new OAuthError(
        'slow_down',
        'Too many one-time passwords were sent to this username; try again later.',
        {
          status: 429,
          retryAfterSeconds,
        },
      );
    }
  }

  /** OTP_LENGTH decimal digits, uniformly from a CSPRNG (crypto.randomInt has no modulo bias). */
  private generateCode(): string {
    const length = this.config.otp.length;
    return randomInt(0, 10 ** length)
      .toString()
      .padStart(length, '0');
  }

  /**
   * HMAC-SHA256 of the OTP under the MASTER_KEY-derived key, bound to its challenge: an OTP
   * has few digits, so a bare hash in a stolen database would fall to brute force at once.
   */
  private hashCode(
    challenge: Pick<OtpChallengeRecord, 'id' | 'clientId' | 'grantType' | 'username'>,
    code: string,
  ): Buffer {
    return createHmac('sha256', this.codeKey)
      .update(
        [challenge.id, challenge.clientId, challenge.grantType, challenge.username, code].join(
          '\0',
        ),
      )
      .digest();
  }
}

/** The client's texts, with empty parameters treated as absent. */
function presentTexts(request: OtpMessageTexts): OtpMessageTexts {
  const present = (value: string | undefined) =>
    value === undefined || value === '' ? undefined : value;
  return {
    title: present(request.title),
    body: present(request.body),
    uiLocales: present(request.uiLocales),
  };
}

/**
 * An error for the logs: never the OTP, the recipient nor the gateway URL. Only this module's
 * own messages are given whole; another library's may quote what it was given (nodemailer
 * appends the SMTP server's reply, as in `550 5.1.1 <someone@example.com>: Recipient address
 * rejected`), so of those only the name and the codes: the error code (or its cause's, as
 * fetch's `ECONNREFUSED`), and an SMTP reply's code and the command it answered.
 */
function describeFailure(error: unknown): string {
  if (error instanceof OtpDeliveryError) return error.message;
  if (!(error instanceof Error)) return 'unknown error';
  const { code, responseCode, command, cause } = error as {
    code?: unknown;
    responseCode?: unknown;
    command?: unknown;
    cause?: { code?: unknown };
  };
  return [error.name, code ?? cause?.code, responseCode, command]
    .filter((part) => typeof part === 'number' || (typeof part === 'string' && part !== ''))
    .join(': ');
}

/** The user's stored number or address as an OTP recipient, or null when it is not one. */
function readRecipient(channel: OtpChannel, recipient: string): OtpUsername | null {
  try {
    return readOtpUsername(channel, recipient);
  } catch (error) {
    if (error instanceof OAuthError) return null;
    throw error;
  }
}
