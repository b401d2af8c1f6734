import { Injectable, OnModuleDestroy } from '@nestjs/common';

import { AccountService, UserAccount, UserGroups } from '@app/accounts';
import { DatabaseNotifications, NotificationChannel, NotifiedCache } from '@app/persistence';

/** Users remembered per instance; the oldest go first beyond this. */
const CACHE_LIMIT = 50_000;

/**
 * The users and group names that ID tokens and UserInfo release claims from, remembered per
 * instance: a refresh or a UserInfo call pays no database round trip for them. The users are
 * emptied by every instance at once when a user row changes (NotifiedCache on the user-changed
 * channel), the group names by UserGroups on the same channel, and both answer from the
 * database whenever the notification listener is down, so they never serve what the database
 * would not.
 */
@Injectable()
export class UserClaimsCache implements OnModuleDestroy {
  private readonly users: NotifiedCache<UserAccount>;

  constructor(
    private readonly accounts: AccountService,
    private readonly userGroups: UserGroups,
    notifications: DatabaseNotifications,
  ) {
    this.users = new NotifiedCache(notifications, NotificationChannel.UserChanged, CACHE_LIMIT);
  }

  onModuleDestroy(): void {
    this.users.close();
  }

  /** The user, or null when there is none under `id`. */
  user(id: string): Promise<UserAccount | null> {
    return this.users.get(id, () => this.accounts.findById(id));
  }

  /** The user's group names, local and directory (UserGroups.namesOf, remembered there). */
  groupNames(id: string): Promise<string[]> {
    return this.userGroups.namesOf(id);
  }
}
