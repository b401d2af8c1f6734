import { OtpMessage } from './otp-message';

/** Delivers OTP messages over one channel. */
export interface OtpSender {
  /** False when the channel has no configuration (no SMS_GATEWAY_URL / SMTP_URL). */
  isConfigured(): boolean;
  /** Resolves once the message was accepted for delivery; rejects otherwise. */
  send(message: OtpMessage): Promise<void>;
}

/**
 * A delivery failure described by this module: its message names neither the OTP, the
 * recipient nor the gateway URL, so it may be logged. Any other error's message may quote what
 * the library was given, and is not logged (OtpChallengeService).
 */
export class OtpDeliveryError extends Error {
  override readonly name = 'OtpDeliveryError';
}
