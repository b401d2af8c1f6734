/** Authentication context classes this server asserts in `acr` (OpenID Connect Core §2). */
export const Acr = {
  /** A password alone. */
  Password: 'urn:uas:acr:pwd',
  /** A password and a second factor. */
  Mfa: 'urn:uas:acr:mfa',
} as const;

export type Acr = (typeof Acr)[keyof typeof Acr];

/** `acr_values_supported` (OpenID Connect Discovery 1.0 §3), weakest first. */
export const ACR_VALUES_SUPPORTED: readonly Acr[] = [Acr.Password, Acr.Mfa];

/** RFC 8176 authentication method references this server records. */
export const Amr = {
  Password: 'pwd',
  Otp: 'otp',
  Sms: 'sms',
  Mfa: 'mfa',
  HardwareKey: 'hwk',
  SoftwareKey: 'swk',
  UserPresence: 'user',
} as const;

/**
 * The `acr` of a sign-in, from its `amr`: a sign-in that passed a second factor says so with
 * `mfa` (RFC 8176 §2), so the class follows from the methods and is stored nowhere else.
 */
export function acrOf(amr: readonly string[]): Acr {
  return amr.includes(Amr.Mfa) ? Acr.Mfa : Acr.Password;
}

/** True when `acr_values` (space-separated, OpenID Connect Core §3.1.2.1) asks for a second factor. */
export function acrValuesRequireMfa(acrValues: string | null): boolean {
  return (acrValues ?? '').split(' ').includes(Acr.Mfa);
}
