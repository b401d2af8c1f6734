import { OtpMessage } from './otp-message';

/** Delivers OTP messages over one channel. */
export interface OtpSender {
  /** False when the channel has no configuration (no SMS_GATEWAY_URL / SMTP_URL). */
  isConfigured(): boolean;
  /** Resolves once the message was accepted for delivery; rejects otherwise. */
  send(message: OtpMessage): Promise<void>;
}
