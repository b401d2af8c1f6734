import { Injectable } from '@nestjs/common';

import { UserGroups } from '@app/accounts';

/**
 * Whether a user's groups require a second factor (CONTRACT §4: a group's `require_mfa`), for
 * the login page and the password grant: the one place the group policy enters sign-in.
 */
@Injectable()
export class GroupMfaPolicy {
  constructor(private readonly groups: UserGroups) {}

  requiresMfa(userId: string): Promise<boolean> {
    return this.groups.requiresMfa(userId);
  }
}
