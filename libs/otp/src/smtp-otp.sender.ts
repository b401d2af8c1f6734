import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';

import { APP_CONFIG, AppConfig } from '@app/config';

import { cleartextTransportWarning } from './cleartext-transport';
import { OtpMessage } from './otp-message';
import { OtpDeliveryError, OtpSender } from './otp-sender';

/**
 * Sends OTP mails through SMTP_URL (smtp:// or smtps://, with credentials in the URL) from
 * SMTP_FROM; the title is the subject, the body the plain-text part. The recipient is passed
 * as an address object, so nodemailer never parses it into more than one recipient.
 */
@Injectable()
export class SmtpOtpSender implements OtpSender, OnModuleDestroy {
  private readonly transport: Transporter | null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    const warning = cleartextTransportWarning('SMTP_URL', config.smtp.url);
    if (warning) new Logger('Otp').warn(warning);
    this.transport = config.smtp.url
      ? createTransport({
          url: config.smtp.url,
          // Fail within seconds, well inside a token request, instead of nodemailer's minutes.
          connectionTimeout: 5_000,
          greetingTimeout: 5_000,
          socketTimeout: 10_000,
          disableFileAccess: true,
          disableUrlAccess: true,
          maxRecipients: 1,
        })
      : null;
  }

  isConfigured(): boolean {
    return this.transport !== null;
  }

  async send(message: OtpMessage): Promise<void> {
    if (this.transport === null) throw new OtpDeliveryError('SMTP_URL is not set');
    await this.transport.sendMail({
      from: this.config.smtp.from,
      to: { name: '', address: message.recipient },
      subject: message.title,
      text: message.body,
    });
  }

  onModuleDestroy(): void {
    this.transport?.close();
  }
}
