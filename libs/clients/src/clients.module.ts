import { Module } from '@nestjs/common';

import { APP_CONFIG, AppConfig } from '@app/config';
import { CryptoModule } from '@app/crypto';
import { PersistenceModule } from '@app/persistence';

import { CLIENT_AUTH_PROVIDERS } from './auth-methods/client-auth-methods';
import { JwksUriCache } from './auth-methods/jwks-uri.cache';
import { ClientAuthenticator } from './client-authenticator';
import { ClientMetadataValidator } from './client-metadata.validator';
import { ClientRegistry } from './client-registry.service';
import { OutboundHttpClient } from './outbound/outbound-http-client';

/** Registered clients and client authentication. */
@Module({
  imports: [CryptoModule, PersistenceModule],
  providers: [
    ClientRegistry,
    ClientMetadataValidator,
    ...CLIENT_AUTH_PROVIDERS,
    {
      provide: OutboundHttpClient,
      useFactory: (config: AppConfig) =>
        new OutboundHttpClient({ denyPrivate: config.outbound.denyPrivate }),
      inject: [APP_CONFIG],
    },
  ],
  exports: [
    ClientRegistry,
    ClientMetadataValidator,
    ClientAuthenticator,
    JwksUriCache,
    OutboundHttpClient,
  ],
})
export class ClientsModule {}
