import { Injectable } from '@nestjs/common';

import { GrantType, resolveScope } from '@app/clients';
import { TokenResponse, TokenService } from '@app/tokens';

import { GrantHandler, TokenRequest } from '../grant-handler';

/** RFC 6749 §4.4: the client acts for itself; no refresh token (§4.4.3), no ID token. */
@Injectable()
export class ClientCredentialsGrant implements GrantHandler {
  readonly grantType = GrantType.ClientCredentials;
  readonly parameters = ['scope'] as const;

  constructor(private readonly tokens: TokenService) {}

  async handle({ client, params }: TokenRequest): Promise<TokenResponse> {
    return this.tokens.issueAccessToken({
      client,
      subject: client.clientId,
      scope: resolveScope(params.scope, client),
    });
  }
}
