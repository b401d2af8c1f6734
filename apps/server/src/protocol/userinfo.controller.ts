import { Body, Controller, Get, Headers, HttpCode, Inject, Post, Res } from '@nestjs/common';

import { APP_CONFIG, AppConfig, Routes } from '@app/config';
import { OAuthError } from '@app/errors';
import { KeyStore } from '@app/keys';
import { bearerChallenge, signForClient, UserinfoResult, UserinfoService } from '@app/tokens';

import { NoStore } from './no-store.decorator';

/** The one response method both Express and Fastify replies have under a name we can find. */
interface HeaderSink {
  setHeader?(name: string, value: string): unknown;
  header?(name: string, value: string): unknown;
}

/** OpenID Connect Core §5.3 UserInfo, GET and POST. */
@Controller()
export class UserinfoController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly userinfo: UserinfoService,
    private readonly keys: KeyStore,
  ) {}

  @Get(Routes.userinfo)
  @NoStore()
  get(@Headers('authorization') authorization: string | undefined, @Res({ passthrough: true }) res: HeaderSink) {
    return this.respond(this.bearer(authorization, undefined), res);
  }

  @Post(Routes.userinfo)
  @HttpCode(200)
  @NoStore()
  post(
    @Headers('authorization') authorization: string | undefined,
    @Headers('content-type') contentType: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: HeaderSink,
  ) {
    const form = contentType && /^application\/x-www-form-urlencoded\b/i.test(contentType) ? (body as Record<string, unknown>) : {};
    return this.respond(this.bearer(authorization, form.access_token), res);
  }

  /** RFC 6750 §2.1 header or §2.2 form body, never both. */
  private bearer(authorization: string | undefined, formToken: unknown): string {
    const header = authorization && /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    if (Array.isArray(formToken) || (header && formToken !== undefined)) {
      throw new OAuthError('invalid_request', 'The access token must be sent one way only.', {
        challenge: bearerChallenge(this.config, 'invalid_request'),
      });
    }
    const token = header || (typeof formToken === 'string' && formToken) || null;
    if (!token) {
      // RFC 6750 §3.1: no error code in the challenge when no credentials were sent.
      throw new OAuthError('invalid_token', 'An access token is required.', { challenge: bearerChallenge(this.config) });
    }
    return token;
  }

  private async respond(token: string, res: HeaderSink): Promise<unknown> {
    const result = await this.userinfo.claimsFor(token);
    const signing = result.client.metadata.userinfo_signed_response_alg;
    if (!signing) return result.claims;
    setHeader(res, 'Content-Type', 'application/jwt');
    return this.signed(result, signing);
  }

  /** OpenID Connect Core §5.3.2: a signed response carries iss and aud. */
  private signed({ client, claims }: UserinfoResult, alg: string): Promise<string> {
    return signForClient(this.keys, client, alg, { ...claims, iss: this.config.issuer.url, aud: client.clientId });
  }
}

function setHeader(res: HeaderSink, name: string, value: string): void {
  if (res.setHeader) res.setHeader(name, value);
  else res.header?.(name, value);
}
