import { Module } from '@nestjs/common';

import { CryptoModule } from '@app/crypto';
import { PersistenceModule } from '@app/persistence';

import { ClientAuthenticator } from './client-authenticator';
import { ClientRegistry } from './client-registry.service';

/** Registered clients and client authentication. */
@Module({
  imports: [CryptoModule, PersistenceModule],
  providers: [ClientRegistry, ClientAuthenticator],
  exports: [ClientRegistry, ClientAuthenticator],
})
export class ClientsModule {}
