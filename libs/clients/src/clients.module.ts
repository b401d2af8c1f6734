import { Module } from '@nestjs/common';

import { CryptoModule } from '@app/crypto';
import { PersistenceModule } from '@app/persistence';

import { CLIENT_AUTH_PROVIDERS } from './auth-methods/client-auth-methods';
import { JwksUriCache } from './auth-methods/jwks-uri.cache';
import { ClientAuthenticator } from './client-authenticator';
import { ClientMetadataValidator } from './client-metadata.validator';
import { ClientRegistry } from './client-registry.service';

/** Registered clients and client authentication. */
@Module({
  imports: [CryptoModule, PersistenceModule],
  providers: [ClientRegistry, ClientMetadataValidator, ...CLIENT_AUTH_PROVIDERS],
  exports: [ClientRegistry, ClientMetadataValidator, ClientAuthenticator, JwksUriCache],
})
export class ClientsModule {}
