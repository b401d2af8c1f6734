import { Module } from '@nestjs/common';

import { PersistenceModule } from '@app/persistence';

import { AccountService } from './account.service';
import { PasswordHasher } from './password-hasher';
import { PasswordLogin } from './password-login.service';

/** Users, their passwords and claims, and the password check with its brute-force limits. */
@Module({
  imports: [PersistenceModule],
  providers: [AccountService, PasswordHasher, PasswordLogin],
  exports: [AccountService, PasswordLogin],
})
export class AccountsModule {}
