import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';

import { ClientRegistry, OPENID_SCOPES, RegisteredClient } from '@app/clients';
import { APP_CONFIG, AppConfig } from '@app/config';
import { OAuthError } from '@app/errors';
import {
  DatabaseNotifications,
  GrantRecord,
  GrantRepository,
  NotificationChannel,
  NotifiedCache,
} from '@app/persistence';

import { AccessTokenVerifier } from './access-token-verifier';
import { releaseClaims, releasedClaimNames } from './claim-release';
import { UserClaimsCache } from './user-claims.cache';

/** The UserInfo answer before it is formatted (JSON, or a JWT per the client's metadata). */
export interface UserinfoResult {
  readonly client: RegisteredClient;
  readonly claims: Record<string, unknown>;
}

/** Grants remembered per instance for UserInfo; the oldest go first beyond this. */
const CACHE_LIMIT = 50_000;

/**
 * OpenID Connect Core §5.3: the claims about the subject of an access token. A request pays no
 * database round trip once its grant and user are remembered: the grant cache here and the
 * user caches (UserClaimsCache) are emptied by every instance at once when a row changes
 * (NotifiedCache), as the token liveness and client caches are.
 */
@Injectable()
export class UserinfoService implements OnModuleDestroy {
  /** Active grants by id: any update (revocation) or delete of the row drops it. */
  private readonly grantCache: NotifiedCache<GrantRecord>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly accessTokens: AccessTokenVerifier,
    private readonly grants: GrantRepository,
    private readonly clients: ClientRegistry,
    private readonly users: UserClaimsCache,
    notifications: DatabaseNotifications,
  ) {
    this.grantCache = new NotifiedCache(
      notifications,
      NotificationChannel.GrantChanged,
      CACHE_LIMIT,
    );
  }

  onModuleDestroy(): void {
    this.grantCache.close();
  }

  async claimsFor(accessToken: string): Promise<UserinfoResult> {
    const token = await this.accessTokens.verify(accessToken);
    const client = token && (await this.clients.findById(token.client_id));
    if (!token || !client) {
      throw new OAuthError('invalid_token', 'The access token is invalid.', {
        challenge: bearerChallenge(this.config, 'invalid_token'),
      });
    }
    if (!token.scope.split(' ').some((s) => OPENID_SCOPES.includes(s))) {
      throw new OAuthError('insufficient_scope', 'The access token does not allow UserInfo.', {
        challenge: `${bearerChallenge(this.config, 'insufficient_scope')}, scope="openid"`,
      });
    }
    // OpenID Connect Core §5.3: UserInfo describes an end-user; a client_credentials token has none.
    if (!token.gid) {
      throw new OAuthError('invalid_token', 'The access token does not represent an end-user.', {
        challenge: bearerChallenge(this.config, 'invalid_token'),
      });
    }
    const gid = token.gid;
    const grant = await this.grantCache.get(gid, () => this.grants.findActive(gid));
    const userId = grant?.userId;
    const user = userId ? await this.users.user(userId) : null;
    if (grant?.userId && !user) {
      throw new OAuthError('invalid_token', 'The access token is invalid.', {
        challenge: bearerChallenge(this.config, 'invalid_token'),
      });
    }
    let released: Record<string, unknown> = {};
    if (grant) {
      const source = {
        client,
        scope: token.scope.split(' ').filter(Boolean),
        grantScope: grant.scope.split(' ').filter(Boolean),
        requestedClaims: grant.requestedClaims,
      };
      const names = releasedClaimNames('userinfo', source);
      const groups = user && names.has('groups') ? await this.users.groupNames(user.id) : [];
      released = releaseClaims(
        'userinfo',
        { ...source, grantClaims: grant.claims, user, groups },
        names,
      );
    }
    // OpenID Connect Core §5.3.2: sub is always returned.
    return { client, claims: { ...released, sub: token.sub } };
  }
}

/** RFC 6750 §3. */
export function bearerChallenge(config: AppConfig, error?: string): string {
  return `Bearer realm="${config.issuer.url}"${error ? `, error="${error}"` : ''}`;
}
