import { ApiKeyEntity } from './api-key.entity';
import { AuditEventEntity } from './audit-event.entity';
import { BackchannelLogoutEntity } from './backchannel-logout.entity';
import { AuthorizationCodeEntity } from './authorization-code.entity';
import { ClientEntity } from './client.entity';
import { DirectoryAccountEntity } from './directory-account.entity';
import { DirectoryEntity } from './directory.entity';
import { GrantEntity } from './grant.entity';
import { GroupMemberEntity } from './group-member.entity';
import { GroupEntity } from './group.entity';
import { LoginSessionEntity } from './login-session.entity';
import { OtpChallengeEntity } from './otp-challenge.entity';
import { RateLimitEntity } from './rate-limit.entity';
import { RefreshTokenEntity } from './refresh-token.entity';
import { RevokedAccessTokenEntity } from './revoked-access-token.entity';
import { SamlIssuerEntity } from './saml-issuer.entity';
import { ServerKeyEntity } from './server-key.entity';
import { SettingEntity } from './setting.entity';
import { SubjectEntity } from './subject.entity';
import { UsedIdentifierEntity } from './used-identifier.entity';
import { UserEntity } from './user.entity';
import { UserFactorEntity } from './user-factor.entity';
import { RecoveryCodeEntity } from './recovery-code.entity';

/** Every entity, listed explicitly (no globs). */
export const ENTITIES = [
  SettingEntity,
  ServerKeyEntity,
  ClientEntity,
  UserEntity,
  GrantEntity,
  RefreshTokenEntity,
  RevokedAccessTokenEntity,
  LoginSessionEntity,
  AuthorizationCodeEntity,
  UsedIdentifierEntity,
  SamlIssuerEntity,
  OtpChallengeEntity,
  BackchannelLogoutEntity,
  RateLimitEntity,
  SubjectEntity,
  ApiKeyEntity,
  UserFactorEntity,
  RecoveryCodeEntity,
  GroupEntity,
  GroupMemberEntity,
  AuditEventEntity,
  DirectoryEntity,
  DirectoryAccountEntity,
];

export {
  ApiKeyEntity,
  AuditEventEntity,
  AuthorizationCodeEntity,
  BackchannelLogoutEntity,
  ClientEntity,
  DirectoryAccountEntity,
  DirectoryEntity,
  GrantEntity,
  GroupEntity,
  GroupMemberEntity,
  LoginSessionEntity,
  OtpChallengeEntity,
  RateLimitEntity,
  RefreshTokenEntity,
  RevokedAccessTokenEntity,
  SamlIssuerEntity,
  ServerKeyEntity,
  SettingEntity,
  SubjectEntity,
  UsedIdentifierEntity,
  UserEntity,
  UserFactorEntity,
  RecoveryCodeEntity,
};
