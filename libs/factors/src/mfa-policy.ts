import { Injectable } from '@nestjs/common';

/**
 * Whether a user's groups require a second factor (CONTRACT §4: a group's `require_mfa`).
 * The one place the group policy enters sign-in; it answers false until groups exist.
 */
@Injectable()
export class GroupMfaPolicy {
  // MFA-GROUPS-HOOK: wire to the groups lib's requiresMfa(userId) once it is on main.
  requiresMfa(userId: string): Promise<boolean> {
    void userId;
    return Promise.resolve(false);
  }
}
