import { Body, Controller, Get, Headers, Inject, Ip, Post, Query } from '@nestjs/common';

import {
  BrowserCookies,
  PasskeyRegistrationOutcome,
  PasskeyRegistrationService,
} from '@app/authorization';
import { APP_CONFIG, AppConfig, routePath, Routes } from '@app/config';

import { CSRF_COOKIE, readCookie, SESSION_COOKIE, sessionCookie } from './login/cookies';
import { PAGE_HEADERS, PASSKEY_PAGE_CSP } from './login/page-headers';
import { renderPasskeyPage } from './login/passkey-page';
import { RequestParams } from './request-params';

/**
 * Where a signed-in user adds a passkey (CONTRACT §3: registration after sign-in), GET for the
 * page and POST for the credential the passkey script made. Pages as the login page's, with the
 * ceremony's script allowed from this origin.
 */
@Controller()
export class PasskeysController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registrations: PasskeyRegistrationService,
  ) {}

  @Get(Routes.passkeys)
  async get(
    @Query() query: unknown,
    @Headers('cookie') cookie: string | undefined,
    @Ip() address: string | undefined,
  ): Promise<Response> {
    const uiLocales = RequestParams.fromQuery(query).values.ui_locales ?? null;
    return this.page(await this.registrations.start(browserOf(cookie, address)), uiLocales);
  }

  @Post(Routes.passkeys)
  async post(
    @Headers('content-type') contentType: string | undefined,
    @Headers('cookie') cookie: string | undefined,
    @Body() body: unknown,
    @Ip() address: string | undefined,
  ): Promise<Response> {
    const form = RequestParams.fromForm(contentType, body);
    const outcome = await this.registrations.register(form.values, browserOf(cookie, address));
    return this.page(outcome, null);
  }

  private page(outcome: PasskeyRegistrationOutcome, uiLocales: string | null): Response {
    const headers = new globalThis.Headers(PAGE_HEADERS);
    const urls = {
      action: routePath(this.config, 'passkeys'),
      stylesheet: routePath(this.config, 'loginStylesheet'),
      script: routePath(this.config, 'passkeyScript'),
    };
    if (outcome.kind === 'form' || outcome.kind === 'failed') {
      headers.set('Content-Security-Policy', PASSKEY_PAGE_CSP);
      headers.append(
        'Set-Cookie',
        sessionCookie(CSRF_COOKIE, outcome.csrfToken, {
          path: this.config.issuer.basePath || '/',
          secure: this.config.issuer.isHttps,
        }),
      );
    }
    const status = outcome.kind === 'sign_in_first' ? 401 : 200;
    return new Response(renderPasskeyPage(outcome, uiLocales, urls), { status, headers });
  }
}

function browserOf(header: string | undefined, address: string | undefined): BrowserCookies {
  return {
    sessionToken: readCookie(header, SESSION_COOKIE),
    csrfToken: readCookie(header, CSRF_COOKIE),
    address: address ?? null,
  };
}
