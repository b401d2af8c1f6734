import { Injectable } from '@nestjs/common';

import { DirectoryAccountRepository } from '@app/persistence';

/** The group names a user's directory gave at their last sign-in. */
@Injectable()
export class DirectoryGroups {
  constructor(private readonly accounts: DirectoryAccountRepository) {}

  /** [] for a local user. */
  namesOf(userId: string): Promise<string[]> {
    return this.accounts.findGroups(userId);
  }
}
