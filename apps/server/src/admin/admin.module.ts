import { Module } from '@nestjs/common';

import { AccountsModule } from '@app/accounts';
import { AuthorizationModule } from '@app/authorization';
import { ClientsModule } from '@app/clients';
import { DiscoveryModule } from '@app/discovery';
import { FactorsModule } from '@app/factors';
import { KeysModule } from '@app/keys';
import { LdapModule } from '@app/ldap';
import { PersistenceModule } from '@app/persistence';
import { SamlModule } from '@app/saml';
import { TokensModule } from '@app/tokens';

import { AdminToken } from './admin-token';
import { AdminTokenGuard } from './admin-token.guard';
import { ApiKeyService } from './api-key.service';
import { ApiKeysController } from './api-keys.controller';
import { AuditEventsController } from './audit-events.controller';
import { ClientsController } from './clients.controller';
import { GroupsController } from './groups.controller';
import { DirectoriesController } from './directories.controller';
import { KeysController } from './keys.controller';
import { SamlIssuersController } from './saml-issuers.controller';
import { UserFactorsController } from './user-factors.controller';
import { UserSessionsController } from './user-sessions.controller';
import { UsersController } from './users.controller';

/**
 * The admin REST API under /admin/v1 (CONTRACT §4). Every controller here applies
 * `@UseGuards(AdminTokenGuard)` at controller level, declares each route's `@RequiredScope` for
 * API keys, and validates bodies with AdminValidationPipe.
 */
@Module({
  imports: [
    ClientsModule,
    AccountsModule,
    KeysModule,
    DiscoveryModule,
    SamlModule,
    PersistenceModule,
    AuthorizationModule,
    TokensModule,
    FactorsModule,
    LdapModule,
  ],
  controllers: [
    ClientsController,
    UsersController,
    UserSessionsController,
    UserFactorsController,
    KeysController,
    SamlIssuersController,
    ApiKeysController,
    GroupsController,
    AuditEventsController,
    DirectoriesController,
  ],
  providers: [AdminToken, AdminTokenGuard, ApiKeyService],
  exports: [AdminToken, AdminTokenGuard, ApiKeyService],
})
export class AdminModule {}
