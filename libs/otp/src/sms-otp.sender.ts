import { Inject, Injectable, Logger } from '@nestjs/common';

import { APP_CONFIG, AppConfig } from '@app/config';

import { cleartextTransportWarning } from './cleartext-transport';
import { OtpMessage } from './otp-message';
import { OtpDeliveryError, OtpSender } from './otp-sender';

/** How long the gateway may take to answer before the send counts as failed. */
export const SMS_GATEWAY_TIMEOUT_MS = 5_000;

/**
 * Sends OTP texts through the HTTP gateway of SMS_GATEWAY_URL (ubisecure-notes §13.1): one
 * GET to the template with `{mobile}` and `{challenge}` URL-encoded (an E.164 `+` as `%2B`).
 * Only HTTP 200 means sent; redirects are not followed and the body is ignored. Credentials
 * in the URL become HTTP Basic authentication.
 */
@Injectable()
export class SmsOtpSender implements OtpSender {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    const warning = cleartextTransportWarning('SMS_GATEWAY_URL', config.sms.gatewayUrl);
    if (warning) new Logger('Otp').warn(warning);
  }

  isConfigured(): boolean {
    return this.config.sms.gatewayUrl !== null;
  }

  async send(message: OtpMessage): Promise<void> {
    const template = this.config.sms.gatewayUrl;
    if (template === null) throw new OtpDeliveryError('SMS_GATEWAY_URL is not set');
    const url = new URL(
      template
        .split('{mobile}')
        .join(encodeURIComponent(message.recipient))
        .split('{challenge}')
        .join(encodeURIComponent(message.body)),
    );
    const headers: Record<string, string> = {};
    if (url.username || url.password) {
      const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      headers.authorization = `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
      url.username = '';
      url.password = '';
    }
    const response = await fetch(url, {
      method: 'GET',
      headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(SMS_GATEWAY_TIMEOUT_MS),
    });
    await response.body?.cancel();
    // The message is in the URL: never put the URL in an error.
    if (response.status !== 200)
      throw new OtpDeliveryError(`the SMS gateway answered HTTP ${response.status}`);
  }
}
