import { Module } from '@nestjs/common';

import { ClientAuthenticator } from './client-authenticator';

/** Registered clients and client authentication. */
@Module({
  providers: [ClientAuthenticator],
  exports: [ClientAuthenticator],
})
export class ClientsModule {}
