/** One-time password challenges shared by the SMS-MT-OTP and SMTP-OTP grants. */
export { OtpModule } from './otp.module';
/** Initiate (send an OTP, return a reference) and validate (consume the reference, check the OTP). */
export { OtpChallengeService } from './otp-challenge.service';
export type { OtpInitiateRequest, OtpValidateRequest } from './otp-challenge.service';
/** The delivery channel of an OTP grant. */
export { OtpChannel } from './otp-channel';
