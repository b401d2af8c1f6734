import { Module } from '@nestjs/common';

import { AccountsModule } from '@app/accounts';
import { ClientsModule } from '@app/clients';
import { DiscoveryModule } from '@app/discovery';
import { KeysModule } from '@app/keys';
import { SamlModule } from '@app/saml';

import { AdminToken } from './admin-token';
import { AdminTokenGuard } from './admin-token.guard';
import { ClientsController } from './clients.controller';
import { KeysController } from './keys.controller';
import { SamlIssuersController } from './saml-issuers.controller';
import { UsersController } from './users.controller';

/**
 * The admin REST API under /admin/v1 (CONTRACT §4). Every controller here applies
 * `@UseGuards(AdminTokenGuard)` at controller level and validates bodies with AdminValidationPipe.
 */
@Module({
  imports: [ClientsModule, AccountsModule, KeysModule, DiscoveryModule, SamlModule],
  controllers: [ClientsController, UsersController, KeysController, SamlIssuersController],
  providers: [AdminToken, AdminTokenGuard],
  exports: [AdminToken, AdminTokenGuard],
})
export class AdminModule {}
