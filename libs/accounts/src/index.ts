/** Users, passwords (argon2id) and OIDC standard claims. */
export { AccountsModule } from './accounts.module';
/** Create, read, change, delete and list users; passwords are never returned. */
export { AccountService } from './account.service';
export type { ImportedUser, ImportResult, NewUser, UserPage, UserPatch } from './account.service';
/** Username + password check with brute-force limits shared by every instance (password grant, login page). */
export {
  MAX_CHECKS_IN_FLIGHT_PER_ADDRESS,
  PasswordLogin,
  slowdownMs,
  USERNAME_SLOWDOWN_FACTOR,
} from './password-login.service';
/** The password policy: 8–128 characters, not the username. */
export { assertPasswordAllowed, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password-policy';
/** One sub per person across identity sources (SAML issuers, OTP channels): OIDC Core §2. */
export { SubjectRegistry, SubjectSource } from './subject-registry';
/** A user as other libs see it (`id` is the `sub`) and its claims. */
export { USER_CLAIM_NAMES } from './user-account';
export type { AddressClaim, UserAccount, UserClaims, UserClaimsPatch } from './user-account';
/** Groups and their members (admin API). */
export { GroupService } from './group.service';
export type { Group, GroupPage, NewGroup } from './group.service';
/** A user's effective groups: the `groups` claim, `allowed_groups`, a group's `require_mfa`. */
export { UserGroups } from './user-groups';
