import { Module } from '@nestjs/common';

import { GrantHandler } from './grant-handler';
import { GrantRegistry } from './grant-registry';

/** One line per grant: adding a grant is a handler file and a line here. */
const GRANT_HANDLERS: (new (...args: never[]) => GrantHandler)[] = [];

@Module({
  providers: [
    ...GRANT_HANDLERS,
    {
      provide: GrantRegistry,
      useFactory: (...handlers: GrantHandler[]) => new GrantRegistry(handlers),
      inject: GRANT_HANDLERS,
    },
  ],
  exports: [GrantRegistry],
})
export class GrantsModule {}
