import { Module } from '@nestjs/common';

import { CryptoModule } from '@app/crypto';
import { PersistenceModule } from '@app/persistence';

import { DirectoryGroups } from './directory-groups.service';
import { DirectorySignIn } from './directory-sign-in.service';
import { DirectoryService } from './directory.service';

/** LDAP / Active Directory directories: their settings, and sign-in by bind. */
@Module({
  imports: [CryptoModule, PersistenceModule],
  providers: [DirectoryService, DirectorySignIn, DirectoryGroups],
  exports: [DirectoryService, DirectorySignIn, DirectoryGroups],
})
export class LdapModule {}
