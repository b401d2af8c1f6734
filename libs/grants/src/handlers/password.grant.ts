import { Injectable } from '@nestjs/common';

import { PasswordLogin } from '@app/accounts';
import { GrantType, resolveScope } from '@app/clients';
import { Clock } from '@app/config';
import { OAuthError } from '@app/errors';
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
  ) {}

  async handle({ client, params, clientAddress }: TokenRequest): Promise<TokenResponse> {
    const username = requireParam(params, 'username');
    const password = requireParam(params, 'password');
    const scope = resolveScope(params.scope, client);
    const user = await this.logins.authenticate(username, password, clientAddress ?? null);
    if (!user) {
      // One answer for an unknown user, a wrong password and a throttled username.
      throw new OAuthError('invalid_grant', 'The username or password is incorrect.');
    }
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
