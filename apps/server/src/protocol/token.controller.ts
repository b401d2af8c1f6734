import { Body, Controller, Headers, HttpCode, Ip, Post } from '@nestjs/common';

import { ClientAuthenticator } from '@app/clients';
import { Routes } from '@app/config';
import { GrantRegistry, TokenEndpointResult } from '@app/grants';

import { NoStore } from './no-store.decorator';
import { pick, RequestParams } from './request-params';

/** RFC 6749 §3.2 token endpoint: glue between client authentication and the grant handlers. */
@Controller()
export class TokenController {
  constructor(
    private readonly clients: ClientAuthenticator,
    private readonly grants: GrantRegistry,
  ) {}

  @Post(Routes.token)
  @HttpCode(200) // RFC 6749 §5.1; Nest's POST default is 201
  @NoStore()
  async token(
    @Headers('content-type') contentType: string | undefined,
    @Headers('authorization') authorization: string | undefined,
    @Body() body: unknown,
    @Ip() clientAddress: string | undefined,
  ): Promise<TokenEndpointResult> {
    const params = RequestParams.fromForm(contentType, body).singleValued();
    const { client } = await this.clients.authenticate({
      authorization,
      params,
      endpoint: 'token',
    });
    const grant = this.grants.resolve(params.grant_type, client);
    return this.grants.run(grant, {
      client,
      params: pick(params, grant.parameters),
      clientAddress: clientAddress ?? null,
    });
  }
}
