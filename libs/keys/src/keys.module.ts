import { Module } from '@nestjs/common';

import { CryptoModule } from '@app/crypto';
import { PersistenceModule } from '@app/persistence';

import { KeyStore } from './key-store.service';

/** The server's signing and encryption keys. */
@Module({
  imports: [CryptoModule, PersistenceModule],
  providers: [KeyStore],
  exports: [KeyStore],
})
export class KeysModule {}
