import { DIRECTORY_PASSWORD_HASH, UserRecord } from '@app/persistence';

/** The address claim (OpenID Connect Core §5.1.1): every member optional. */
export interface AddressClaim {
  formatted?: string;
  street_address?: string;
  locality?: string;
  region?: string;
  postal_code?: string;
  country?: string;
}

/**
 * The OIDC standard claims a user may have (OpenID Connect Core §5.1), as stored. `sub` is the
 * id and `updated_at` the record's own time, so neither is stored here.
 */
export interface UserClaims {
  email?: string;
  email_verified?: boolean;
  phone_number?: string;
  phone_number_verified?: boolean;
  name?: string;
  given_name?: string;
  family_name?: string;
  middle_name?: string;
  nickname?: string;
  preferred_username?: string;
  profile?: string;
  picture?: string;
  website?: string;
  gender?: string;
  birthdate?: string;
  zoneinfo?: string;
  locale?: string;
  address?: AddressClaim;
}

/** The claim names a user record holds, in the order the admin API shows them. */
export const USER_CLAIM_NAMES = [
  'email',
  'email_verified',
  'phone_number',
  'phone_number_verified',
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'address',
] as const satisfies readonly (keyof UserClaims)[];

/** A user as every other lib sees it: `id` is the `sub`. Never carries the password hash. */
export interface UserAccount {
  readonly id: string;
  readonly username: string;
  readonly claims: UserClaims;
  /** `directory`: signs in through an LDAP directory, which keeps its claims up to date. */
  readonly source: 'local' | 'directory';
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A change of claims: a member set to null removes that claim. */
export type UserClaimsPatch = { [K in keyof UserClaims]?: UserClaims[K] | null };

/** The stored user without its password hash. */
export function toUserAccount(record: UserRecord): UserAccount {
  return {
    id: record.id,
    username: record.username,
    claims: record.claims,
    source: record.passwordHash === DIRECTORY_PASSWORD_HASH ? 'directory' : 'local',
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
