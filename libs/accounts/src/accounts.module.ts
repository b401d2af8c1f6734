import { Module } from '@nestjs/common';

import { CryptoModule } from '@app/crypto';
import { LdapModule } from '@app/ldap';
import { ObservabilityModule } from '@app/observability';
import { PersistenceModule } from '@app/persistence';

import { AccountService } from './account.service';
import { GroupService } from './group.service';
import { PasswordHasher } from './password-hasher';
import { PasswordLogin } from './password-login.service';
import { SubjectRegistry } from './subject-registry';
import { UserGroups } from './user-groups';

/**
 * Users, their passwords and claims, the password check with its brute-force limits, and the
 * subs of external identity sources.
 */
@Module({
  imports: [CryptoModule, PersistenceModule, ObservabilityModule, LdapModule],
  providers: [
    AccountService,
    PasswordHasher,
    PasswordLogin,
    SubjectRegistry,
    GroupService,
    UserGroups,
  ],
  exports: [AccountService, PasswordLogin, SubjectRegistry, GroupService, UserGroups],
})
export class AccountsModule {}
