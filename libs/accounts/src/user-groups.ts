import { Injectable, OnModuleDestroy } from '@nestjs/common';

import {
  canonicalUsername,
  DatabaseNotifications,
  GroupRepository,
  NotificationChannel,
  NotifiedCache,
} from '@app/persistence';

/** Users whose groups are remembered per instance; the oldest go first beyond this. */
const CACHE_LIMIT = 50_000;

/**
 * A user's effective groups, asked in one place: the `groups` claim, the admin API's user view,
 * client `allowed_groups` and the groups' `require_mfa` all go through here, so a second source
 * of groups (a directory's, CONTRACT §4 "Groups are known by name") is added once, in namesOf.
 *
 * Both answers are remembered per instance, so a refresh, a UserInfo call or a sign-in pays no
 * round trip for them. Every instance forgets them at once (NotifiedCache on the user-changed
 * channel, which triggers send on any change of a membership, a directory account's groups, or
 * a group created, renamed, deleted or changed in `require_mfa`), and they answer from the
 * database while the listener is down: never what the database would not.
 */
@Injectable()
export class UserGroups implements OnModuleDestroy {
  private readonly names: NotifiedCache<string[]>;
  private readonly mfa: NotifiedCache<boolean>;

  constructor(
    private readonly groups: GroupRepository,
    notifications: DatabaseNotifications,
  ) {
    this.names = new NotifiedCache(notifications, NotificationChannel.UserChanged, CACHE_LIMIT);
    this.mfa = new NotifiedCache(notifications, NotificationChannel.UserChanged, CACHE_LIMIT);
  }

  onModuleDestroy(): void {
    this.names.close();
    this.mfa.close();
  }

  /**
   * The names of the user's groups, local and from its directory, sorted by canonical form (the
   * `groups` claim). A name in both (canonical form) is one group, spelled as the local group
   * when the user is a local member too, else as the directory gave it.
   */
  async namesOf(userId: string): Promise<string[]> {
    return (await this.names.get(userId, () => this.loadNames(userId))) ?? [];
  }

  private async loadNames(userId: string): Promise<string[]> {
    const byKey = new Map<string, string>();
    for (const { name, local } of await this.groups.namesOfUser(userId)) {
      const key = canonicalUsername(name);
      if (local || !byKey.has(key)) byKey.set(key, name);
    }
    return [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, name]) => name);
  }

  /**
   * Whether any group of the user asks for a second factor at sign-in (CONTRACT §3), a
   * directory group counting through the local group of its name.
   */
  async requiresMfa(userId: string): Promise<boolean> {
    const required = await this.mfa.get(userId, async () =>
      this.groups.anyRequiresMfa(await this.namesOf(userId)),
    );
    return required === true;
  }

  /**
   * CONTRACT §4 `allowed_groups`: true when the list is absent or empty, or the user is in at
   * least one of its groups, names compared in canonical form. A subject that is no registered
   * user (`userId` null) is in no group.
   */
  async mayUse(
    allowedGroups: readonly string[] | undefined,
    userId: string | null,
  ): Promise<boolean> {
    if (!allowedGroups || allowedGroups.length === 0) return true;
    if (userId === null) return false;
    const allowed = new Set(allowedGroups.map(canonicalUsername));
    return (await this.namesOf(userId)).some((name) => allowed.has(canonicalUsername(name)));
  }
}
