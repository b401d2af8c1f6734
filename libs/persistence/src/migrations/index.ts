import { CreateSchema1764140000000 } from './1764140000000-create-schema';
import { AddGrantClaims1764150000000 } from './1764150000000-add-grant-claims';
import { AddOtpReferenceHash1764160000000 } from './1764160000000-add-otp-reference-hash';
import { AddAuthorizationCodeBindings1764175000000 } from './1764175000000-add-authorization-code-bindings';
import { AddExpiryIndexes1764190000000 } from './1764190000000-add-expiry-indexes';
import { KeepCodesPastTheirSession1764195000000 } from './1764195000000-keep-codes-past-their-session';
import { NotifyClientChanges1764200000000 } from './1764200000000-notify-client-changes';
import { NotifyTokenRevocations1764205000000 } from './1764205000000-notify-token-revocations';
import { MergeClientJwtIdentifiers1764212000000 } from './1764212000000-merge-client-jwt-identifiers';
import { CreateSubjects1764300000000 } from './1764300000000-create-subjects';
import { AddOtpUsernameKey1764300000001 } from './1764300000001-add-otp-username-key';
import { AddUsernameKey1764310000000 } from './1764310000000-add-username-key';
import { AddRequestedClaims1764400000000 } from './1764400000000-add-requested-claims';
import { CreateApiKeys1764410000000 } from './1764410000000-create-api-keys';
import { AddClientTokenGeneration1764420000000 } from './1764420000000-add-client-token-generation';
import { AddSessionLogout1764430000000 } from './1764430000000-add-session-logout';
import { CreateGroups1764440000000 } from './1764440000000-create-groups';
import { CreateDirectories1764450000000 } from './1764450000000-create-directories';
import { CreateUserFactors1764460000000 } from './1764460000000-create-user-factors';
import { CreateAuditEvents1764470000000 } from './1764470000000-create-audit-events';
import { NotifyUserChanges1764480000000 } from './1764480000000-notify-user-changes';
import { CompleteUserChangeNotifications1764490000000 } from './1764490000000-complete-user-change-notifications';

/** Every migration, in order (one a line, so parallel work merges without conflict). */
export const MIGRATIONS = [
  CreateSchema1764140000000,
  AddGrantClaims1764150000000,
  AddOtpReferenceHash1764160000000,
  AddAuthorizationCodeBindings1764175000000,
  AddExpiryIndexes1764190000000,
  KeepCodesPastTheirSession1764195000000,
  NotifyClientChanges1764200000000,
  NotifyTokenRevocations1764205000000,
  MergeClientJwtIdentifiers1764212000000,
  CreateSubjects1764300000000,
  AddOtpUsernameKey1764300000001,
  AddUsernameKey1764310000000,
  AddRequestedClaims1764400000000,
  CreateApiKeys1764410000000,
  AddClientTokenGeneration1764420000000,
  AddSessionLogout1764430000000,
  CreateGroups1764440000000,
  CreateDirectories1764450000000,
  CreateUserFactors1764460000000,
  CreateAuditEvents1764470000000,
  NotifyUserChanges1764480000000,
  CompleteUserChangeNotifications1764490000000,
];
