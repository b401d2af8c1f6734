/** LDAP / Active Directory federation (CONTRACT §4 `directories`). */
export { LdapModule } from './ldap.module';
/** The directories' settings through the admin API; the bind password is write-only. */
export { DirectoryService } from './directory.service';
export type { Directory, DirectoryInput } from './directory.service';
/** Sign-in by LDAP bind, and the local user of the entry kept up to date. */
export { DIRECTORY_RETRY_AFTER_SECONDS, DirectorySignIn } from './directory-sign-in.service';
export type { DirectorySignInOutcome } from './directory-sign-in.service';
/** The names of a user's directory groups, as read at their last sign-in. */
export { DirectoryGroups } from './directory-groups.service';
/** The attribute mapping: which directory attribute holds `id`, `username` and each claim. */
export { DIRECTORY_CLAIMS } from './directory-entry';
export type { DirectoryAttributes } from './directory-entry';
/** RFC 4515 escaping of a filter's assertion values. */
export { escapeFilterValue } from './ldap-filter';
