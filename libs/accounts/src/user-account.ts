import { UserRecord } from '@app/persistence';

/** The OIDC standard claims a user may have (OpenID Connect Core §5.1), as stored. */
export interface UserClaims {
  email?: string;
  email_verified?: boolean;
  phone_number?: string;
  phone_number_verified?: boolean;
  name?: string;
  given_name?: string;
  family_name?: string;
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
] as const satisfies readonly (keyof UserClaims)[];

/** A user as every other lib sees it: `id` is the `sub`. Never carries the password hash. */
export interface UserAccount {
  readonly id: string;
  readonly username: string;
  readonly claims: UserClaims;
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
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
