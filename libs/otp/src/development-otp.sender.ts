import { Injectable, Logger } from '@nestjs/common';

import { OtpChannel } from './otp-channel';
import { OtpMessage } from './otp-message';

/**
 * Embedded development mode only (no DATABASE_URL) for a channel that has no gateway or
 * SMTP server configured: writes the message, OTP included, to the server log instead of
 * delivering it, so both OTP grants can be tried on a fresh checkout. Never used otherwise.
 */
@Injectable()
export class DevelopmentOtpSender {
  private readonly logger = new Logger('OtpDevelopmentSender');

  async send(channel: OtpChannel, message: OtpMessage): Promise<void> {
    const via = channel === OtpChannel.Sms ? 'SMS (no SMS_GATEWAY_URL)' : 'e-mail (no SMTP_URL)';
    this.logger.warn(
      `DEVELOPMENT ONLY, not delivered: ${via} to ${message.recipient}: ` +
        `${JSON.stringify(message.title)} ${JSON.stringify(message.body)}`,
    );
  }
}
