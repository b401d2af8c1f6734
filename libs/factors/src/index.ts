/** Second factors: TOTP, recovery codes, and the policies that require them. */
export { FactorsModule } from './factors.module';
/** `acr` and `amr` values (RFC 8176), and the acr a sign-in's amr gives. */
export { Acr, ACR_VALUES_SUPPORTED, acrOf, acrValuesRequireMfa, Amr } from './acr';
/** Adds, lists, removes and checks users' TOTP factors and recovery codes, each code used once. */
export { FactorService, FactorType, RECOVERY_CODE_COUNT } from './factor.service';
export type { CodeCheck, FactorSummary, TotpEnrolment } from './factor.service';
/** Passkeys (WebAuthn): registration, and sign-in as a second factor with single-use challenges. */
export { PasskeyService } from './passkey.service';
export type { PasskeyCeremony } from './passkey.service';
/** Whether a user's groups require a second factor. */
export { GroupMfaPolicy } from './mfa-policy';
