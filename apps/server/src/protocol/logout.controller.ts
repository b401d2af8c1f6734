import { Body, Controller, Get, Headers, Inject, Post, Query } from '@nestjs/common';

import { LogoutInput, LogoutOutcome, LogoutService } from '@app/authorization';
import { APP_CONFIG, AppConfig, routePath, Routes } from '@app/config';
import { OAuthError } from '@app/errors';
import { AuditContext } from '@app/persistence';

import { RequestAuditContext } from '../audit/audit-context';
import { expiredCookie, readCookie, SESSION_COOKIE } from './login/cookies';
import { errorPageResponse } from './login/error-page';
import { renderLogoutConfirmPage, renderSignedOutPage } from './login/logout-pages';
import { PAGE_HEADERS } from './login/page-headers';
import { pick, RequestParams } from './request-params';

/** RP-Initiated Logout 1.0 §2 parameters, and the confirmation form's proof. */
const LOGOUT_PARAMETERS = [
  'id_token_hint',
  'client_id',
  'post_logout_redirect_uri',
  'state',
  'ui_locales',
  'logout_hint',
  'logout_confirm',
] as const;

/**
 * The end_session_endpoint (OpenID Connect RP-Initiated Logout 1.0 §2), GET and POST: ends the
 * browser's session and sends it to the client's post_logout_redirect_uri or to a signed-out
 * page, after a confirmation page when the request carries no valid id_token_hint for it.
 */
@Controller()
export class LogoutController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly logout: LogoutService,
  ) {}

  @Get(Routes.logout)
  get(
    @Query() query: unknown,
    @Headers('cookie') cookie: string | undefined,
    @RequestAuditContext() source: AuditContext,
  ): Promise<Response> {
    return this.answer(() => RequestParams.fromQuery(query), cookie, source);
  }

  /** §2: the parameters may be form-encoded in a POST; the confirmation form posts here too. */
  @Post(Routes.logout)
  post(
    @Headers('content-type') contentType: string | undefined,
    @Headers('cookie') cookie: string | undefined,
    @Body() body: unknown,
    @RequestAuditContext() source: AuditContext,
  ): Promise<Response> {
    return this.answer(() => RequestParams.fromForm(contentType, body), cookie, source);
  }

  private async answer(
    read: () => RequestParams,
    cookie: string | undefined,
    source: AuditContext,
  ): Promise<Response> {
    let uiLocales: string | null = null;
    let outcome: LogoutOutcome;
    try {
      const params = read();
      uiLocales = params.values.ui_locales ?? null;
      const input = pick(params.singleValued(), LOGOUT_PARAMETERS) as LogoutInput;
      outcome = await this.logout.logout(input, readCookie(cookie, SESSION_COOKIE), source);
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      // Never redirected (§3: only to a registered URI, and only for a valid request).
      return errorPageResponse(error, uiLocales, this.stylesheet());
    }
    if (outcome.kind === 'confirm') {
      return this.page(
        200,
        renderLogoutConfirmPage({
          ...outcome,
          action: routePath(this.config, 'logout'),
          stylesheet: this.stylesheet(),
        }),
      );
    }
    const response = outcome.redirect
      ? new Response(null, {
          status: 303,
          headers: { Location: outcome.redirect, 'Cache-Control': 'no-store' },
        })
      : this.page(
          200,
          renderSignedOutPage({ uiLocales: outcome.uiLocales, stylesheet: this.stylesheet() }),
        );
    // The browser forgets the cookie too; the session itself ended in the database.
    response.headers.append(
      'Set-Cookie',
      expiredCookie(SESSION_COOKIE, {
        path: this.config.issuer.basePath || '/',
        secure: this.config.issuer.isHttps,
      }),
    );
    return response;
  }

  private page(status: number, html: string): Response {
    return new Response(html, { status, headers: new globalThis.Headers(PAGE_HEADERS) });
  }

  private stylesheet(): string {
    return routePath(this.config, 'loginStylesheet');
  }
}
