import { Body, Controller, Get, Headers, HttpCode, Inject, Post, Res } from '@nestjs/common';

import { APP_CONFIG, AppConfig, Routes } from '@app/config';
import { OAuthError } from '@app/errors';
import {
  bearerChallenge,
  ClientResponseProtector,
  UserinfoResult,
  UserinfoService,
} from '@app/tokens';

import { NoStore } from './no-store.decorator';
import { RequestParams } from './request-params';

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
    private readonly protector: ClientResponseProtector,
  ) {}

  @Get(Routes.userinfo)
  @NoStore()
  get(
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) res: HeaderSink,
  ) {
    return this.respond(this.bearer(authorization, null), res);
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
    return this.respond(
      this.bearer(authorization, RequestParams.fromOptionalForm(contentType, body)),
      res,
    );
  }

  /** RFC 6750 §2.1 header or §2.2 form body, never both. */
  private bearer(authorization: string | undefined, form: RequestParams | null): string {
    const header = authorization && /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    // RFC 6750 §3.1: a Bearer header that is not one token is a malformed request.
    if (authorization && /^Bearer\b/i.test(authorization) && !header) {
      throw new OAuthError('invalid_request', 'The Authorization header is malformed.', {
        challenge: bearerChallenge(this.config, 'invalid_request'),
      });
    }
    const formToken = form?.values.access_token;
    if (form?.repeated.includes('access_token') || (header && form?.has('access_token'))) {
      throw new OAuthError('invalid_request', 'The access token must be sent one way only.', {
        challenge: bearerChallenge(this.config, 'invalid_request'),
      });
    }
    const token = header || formToken || null;
    if (!token) {
      // RFC 6750 §3.1: no error code in the challenge when no credentials were sent.
      throw new OAuthError('invalid_token', 'An access token is required.', {
        challenge: bearerChallenge(this.config),
      });
    }
    return token;
  }

  private async respond(token: string, res: HeaderSink): Promise<unknown> {
    const result = await this.userinfo.claimsFor(token);
    const { userinfo_signed_response_alg: signAlg, userinfo_encrypted_response_alg: encAlg } =
      result.client.metadata;
    if (!signAlg && !encAlg) return result.claims;
    setHeader(res, 'Content-Type', 'application/jwt');
    return this.protect(result, signAlg ?? 'RS256');
  }

  /**
   * OpenID Connect Core §5.3.2: a signed response carries iss and aud; with encryption it is
   * signed then encrypted (Registration §2, userinfo_encrypted_response_alg).
   */
  private protect({ client, claims }: UserinfoResult, signAlg: string): Promise<string> {
    return this.protector.protect(
      client,
      { ...claims, iss: this.config.issuer.url, aud: client.clientId },
      {
        signAlg,
        encAlg: client.metadata.userinfo_encrypted_response_alg,
        encEnc: client.metadata.userinfo_encrypted_response_enc,
      },
    );
  }
}

function setHeader(res: HeaderSink, name: string, value: string): void {
  if (res.setHeader) res.setHeader(name, value);
  else res.header?.(name, value);
}
