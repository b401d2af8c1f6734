import { Injectable } from '@nestjs/common';

import { GrantType } from '@app/clients';
import { TokenResponse, TokenService } from '@app/tokens';

import { GrantHandler, requireParam, TokenRequest } from '../grant-handler';

/** RFC 6749 §6, with rotation and reuse detection (RFC 9700 §4.14.2) in TokenService.refresh. */
@Injectable()
export class RefreshTokenGrant implements GrantHandler {
  readonly grantType = GrantType.RefreshToken;
  readonly parameters = ['refresh_token', 'scope'] as const;

  constructor(private readonly tokens: TokenService) {}

  handle({ client, params }: TokenRequest): Promise<TokenResponse> {
    return this.tokens.refresh({ client, refreshToken: requireParam(params, 'refresh_token'), scope: params.scope });
  }
}
