import { Body, Controller, Headers, HttpCode, Ip, Post } from '@nestjs/common';

import { ClientAuthenticator } from '@app/clients';
import { Routes } from '@app/config';
import { TokenIntrospection } from '@app/tokens';

import { NoStore } from './no-store.decorator';
import { RequestParams } from './request-params';
import { requireToken } from './require-token';

/**
 * RFC 7009 token revocation: 200 whatever became of the token (§2.2), with the JSON `{}` the
 * CONTRACT names, which clients that parse every answer as JSON accept.
 */
@Controller()
export class RevocationController {
  constructor(
    private readonly clients: ClientAuthenticator,
    private readonly tokens: TokenIntrospection,
  ) {}

  @Post(Routes.revocation)
  @HttpCode(200)
  @NoStore()
  async revoke(
    @Headers('content-type') contentType: string | undefined,
    @Headers('authorization') authorization: string | undefined,
    @Body() body: unknown,
    @Ip() clientAddress: string | undefined,
  ): Promise<Record<string, never>> {
    const params = RequestParams.fromForm(contentType, body).singleValued();
    const { client } = await this.clients.authenticate({
      authorization,
      params,
      endpoint: 'revocation',
    });
    await this.tokens.revoke(requireToken(params), client, clientAddress ?? null);
    return {};
  }
}
