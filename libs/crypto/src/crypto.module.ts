import { Module } from '@nestjs/common';

import { APP_CONFIG, AppConfig } from '@app/config';

import { loadMasterKey } from './load-master-key';
import { MasterKeyCipher } from './master-key-cipher';

/** Provides the MASTER_KEY cipher. */
@Module({
  providers: [
    {
      provide: MasterKeyCipher,
      useFactory: (config: AppConfig) => new MasterKeyCipher(loadMasterKey(config)),
      inject: [APP_CONFIG],
    },
  ],
  exports: [MasterKeyCipher],
})
export class CryptoModule {}
