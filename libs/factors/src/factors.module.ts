import { Module } from '@nestjs/common';

import { AccountsModule } from '@app/accounts';
import { CryptoModule } from '@app/crypto';
import { PersistenceModule } from '@app/persistence';

import { FactorService } from './factor.service';
import { GroupMfaPolicy } from './mfa-policy';
import { PasskeyService } from './passkey.service';

/** Second factors of the login page and the admin API, and the policies that ask for them. */
@Module({
  imports: [AccountsModule, CryptoModule, PersistenceModule],
  providers: [FactorService, GroupMfaPolicy, PasskeyService],
  exports: [FactorService, GroupMfaPolicy, PasskeyService],
})
export class FactorsModule {}
