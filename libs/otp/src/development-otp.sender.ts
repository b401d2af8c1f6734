import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';

import { Inject, Injectable, Logger } from '@nestjs/common';

import { APP_CONFIG, AppConfig } from '@app/config';

import { OtpChannel } from './otp-channel';
import { OtpMessage } from './otp-message';

/** Where the messages go, under DATA_DIR. */
export const DEVELOPMENT_OUTBOX = 'development-otp.log';

/**
 * Embedded development mode only (no DATABASE_URL) for a channel that has no gateway or
 * SMTP server configured: so that both OTP grants can be tried on a fresh checkout, the message
 * is appended, OTP included, to DATA_DIR/development-otp.log (readable by its owner only), and
 * the log gets a line saying where, never the OTP itself (CONTRACT §5: no OTP in a log line).
 * Never used otherwise.
 */
@Injectable()
export class DevelopmentOtpSender {
  private readonly logger = new Logger('OtpDevelopmentSender');

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async send(channel: OtpChannel, message: OtpMessage): Promise<void> {
    const via = channel === OtpChannel.Sms ? 'SMS (no SMS_GATEWAY_URL)' : 'e-mail (no SMTP_URL)';
    const file = path.resolve(this.config.database.dataDir, DEVELOPMENT_OUTBOX);
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const entry = {
      time: new Date().toISOString(),
      channel: channel === OtpChannel.Sms ? 'sms' : 'email',
      recipient: message.recipient,
      title: message.title,
      body: message.body,
    };
    await appendFile(file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
    this.logger.warn(
      `DEVELOPMENT ONLY, not delivered: ${via} to ${message.recipient}: written to ${file}`,
    );
  }
}
