import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';

import { ClientAuthenticator } from '@app/clients';
import { Routes } from '@app/config';
import { TokenIntrospection } from '@app/tokens';

import { NoStore } from './no-store.decorator';
import { RequestParams } from './request-params';
import { requireToken } from './require-token';

/** RFC 7662 token introspection (also advertised as the legacy tokeninfo_endpoint). */
@Controller()
export class IntrospectionController {
  constructor(
    private readonly clients: ClientAuthenticator,
    private readonly tokens: TokenIntrospection,
  ) {}

  @Post(Routes.introspection)
  @HttpCode(200)
  @NoStore()
  async introspect(
    @Headers('content-type') contentType: string | undefined,
    @Headers('authorization') authorization: string | undefined,
    @Body() body: unknown,
  ): Promise<Record<string, unknown>> {
    const params = RequestParams.fromForm(contentType, body).singleValued();
    const { client } = await this.clients.authenticate({
      authorization,
      params,
      endpoint: 'introspection',
    });
    return this.tokens.introspect(requireToken(params), client);
  }
}
