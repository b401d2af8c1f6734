import { ApiKeyRepository } from './api-key.repository';
import { AuditEventRepository } from './audit-event.repository';
import { AuthorizationCodeRepository } from './authorization-code.repository';
import { BackchannelLogoutRepository } from './backchannel-logout.repository';
import { ClientRepository } from './client.repository';
import { DirectoryAccountRepository } from './directory-account.repository';
import { DirectoryRepository } from './directory.repository';
import { GrantRepository } from './grant.repository';
import { GroupRepository } from './group.repository';
import { HousekeepingRepository } from './housekeeping.repository';
import { LoginSessionRepository } from './login-session.repository';
import { OtpChallengeRepository } from './otp-challenge.repository';
import { RateLimitRepository } from './rate-limit.repository';
import { RefreshTokenRepository } from './refresh-token.repository';
import { SamlIssuerRepository } from './saml-issuer.repository';
import { ServerKeyRepository } from './server-key.repository';
import { SettingRepository } from './setting.repository';
import { samlSubjectSource, SubjectRepository } from './subject.repository';
import { UsedIdentifierRepository } from './used-identifier.repository';
import { UserRepository } from './user.repository';
import { UserFactorRepository } from './user-factor.repository';

/** Every repository; PersistenceModule provides and exports them all. Add new ones here. */
export const REPOSITORIES = [
  HousekeepingRepository,
  ClientRepository,
  UserRepository,
  GrantRepository,
  RefreshTokenRepository,
  SettingRepository,
  ServerKeyRepository,
  RateLimitRepository,
  UsedIdentifierRepository,
  OtpChallengeRepository,
  SamlIssuerRepository,
  LoginSessionRepository,
  AuthorizationCodeRepository,
  SubjectRepository,
  ApiKeyRepository,
  BackchannelLogoutRepository,
  UserFactorRepository,
  GroupRepository,
  AuditEventRepository,
  DirectoryRepository,
  DirectoryAccountRepository,
];

export { GrantRepository, HousekeepingRepository, RefreshTokenRepository };
export type { PurgeReport } from './housekeeping.repository';
export type { AccessTokenState, GrantRecord } from './grant.repository';
export type { ConsumedRefreshToken, RefreshTokenRecord } from './refresh-token.repository';
export { RateLimitRepository, ServerKeyRepository, SettingRepository, UsedIdentifierRepository };
export { OtpChallengeRepository };
export type { OtpChallengeRecord } from './otp-challenge.repository';
export type { RateWindow } from './rate-limit.repository';
export type { ServerKeyRecord } from './server-key.repository';
export { SamlIssuerRepository, samlSubjectSource, SubjectRepository };
export type { SamlIssuerRecord } from './saml-issuer.repository';
export { ClientRepository, UserRepository };
export type { ClientListRecord, ClientRecord, ClientSecretColumns } from './client.repository';
export type { UserRecord } from './user.repository';
export { AuthorizationCodeRepository, LoginSessionRepository };
export type {
  AuthorizationCodeRecord,
  ConsumedAuthorizationCode,
} from './authorization-code.repository';
export type {
  EndedLoginSession,
  LoginSessionRecord,
  LoginSessionSummary,
} from './login-session.repository';
export { BackchannelLogoutRepository };
export type { BackchannelLogoutJob } from './backchannel-logout.repository';
export { ApiKeyRepository };
export type { ApiKeyRecord } from './api-key.repository';
export { UserFactorRepository };
export type { UserFactorRecord } from './user-factor.repository';
export { GroupRepository };
export type { GroupChange, GroupRecord } from './group.repository';
export { AuditEventRepository };
export type { AuditEventFilter, AuditEventRecord, NewAuditEvent } from './audit-event.repository';
export { DirectoryAccountRepository, DirectoryRepository };
export { DIRECTORY_PASSWORD_HASH } from './directory-account.repository';
export type {
  DirectoryAccountConflict,
  DirectoryEntrySnapshot,
} from './directory-account.repository';
export type { DirectoryRecord, DirectorySettings } from './directory.repository';
