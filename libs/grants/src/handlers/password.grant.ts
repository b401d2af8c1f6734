import { Injectable } from '@nestjs/common';

import { PasswordLogin } from '@app/accounts';
import { GrantType, resolveScope } from '@app/clients';
import { Clock } from '@app/config';
import { OAuthError } from '@app/errors';
import { GroupMfaPolicy } from '@app/factors';
import { TokenResponse, TokenService } from '@app/tokens';

import { GrantHandler, requireParam, TokenRequest } from '../grant-handler';

/** RFC 6749 §4.3 resource owner password credentials, behind the brute-force limits of PasswordLogin. */
@Injectable()
export class PasswordGrant implements GrantHandler {
  readonly grantType = GrantType.Password;
  readonly parameters = ['username', 'password', 'scope'] as const;

  constructor(
    private readonly logins: PasswordLogin,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
    private readonly groups: GroupMfaPolicy,
  ) {}

  async handle({ client, params, clientAddress }: TokenRequest): Promise<TokenResponse> {
    const username = requireParam(params, 'username');
    const password = requireParam(params, 'password');
    const scope = resolveScope(params.scope, client);
    // CONTRACT "Recorded details": the password grant never satisfies a second factor.
    if (client.metadata.require_mfa === true) throw secondFactorRequired();
    const user = await this.logins
      .authenticate(username, password, clientAddress ?? null)
      .catch((error: unknown) => {
        // A directory entry whose username another user holds is access_denied (403) at the
        // login page; RFC 6749 §5.2 has no such answer for the token endpoint: invalid_grant.
        if (error instanceof OAuthError && error.code === 'access_denied')
          throw new OAuthError('invalid_grant', error.description, error.options);
        throw error;
      });
    if (!user) {
      // One answer for an unknown user, a wrong password and a throttled username.
      throw new OAuthError('invalid_grant', 'The username or password is incorrect.');
    }
    if (await this.groups.requiresMfa(user.id)) throw secondFactorRequired();
    return this.tokens.issue({
      client,
      subject: user.id,
      userId: user.id,
      scope,
      authTime: this.clock.now(),
      amr: ['pwd'],
    });
  }
}

function secondFactorRequired(): OAuthError {
  return new OAuthError(
    'invalid_grant',
    'A second factor is required; sign in through the authorization endpoint.',
  );
}
