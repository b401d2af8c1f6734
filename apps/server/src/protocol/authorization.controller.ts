import { Body, Controller, Get, Headers, Inject, Ip, Post, Query } from '@nestjs/common';

import {
  AuthorizationOutcome,
  AuthorizationResponse,
  AuthorizationService,
  BrowserCookies,
  errorResponse,
  FACTOR_TICKET_FIELD,
  LOGIN_TICKET_FIELD,
  responseLocation,
} from '@app/authorization';
import { APP_CONFIG, AppConfig, routePath, Routes } from '@app/config';
import { OAuthError, ResponseMode } from '@app/errors';

import { CSRF_COOKIE, readCookie, SESSION_COOKIE, sessionCookie } from './login/cookies';
import { errorPageResponse } from './login/error-page';
import { renderFactorPage } from './login/factor-page';
import { FORM_POST_CSP, renderFormPostPage } from './login/form-post-page';
import { renderLoginPage } from './login/login-page';
import { PAGE_HEADERS, PASSKEY_PAGE_CSP } from './login/page-headers';
import { RequestParams } from './request-params';

/**
 * The authorization endpoint (RFC 6749 §3.1, OIDC Core §3.1.2), GET and POST, and the login
 * form that posts back to it. Answers are web Responses, so the status, the headers and every
 * Set-Cookie go through Nest whatever the HTTP adapter.
 */
@Controller()
export class AuthorizationController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly authorization: AuthorizationService,
  ) {}

  @Get(Routes.authorization)
  get(
    @Query() query: unknown,
    @Headers('cookie') cookie: string | undefined,
    @Ip() address: string | undefined,
  ): Promise<Response> {
    return this.answer(
      302,
      () => RequestParams.fromQuery(query),
      (params) => this.authorization.authorize(params, browserOf(cookie, address)),
    );
  }

  /** OIDC Core §3.1.2.1: the request may be form-encoded in a POST; the login form posts here too. */
  @Post(Routes.authorization)
  post(
    @Headers('content-type') contentType: string | undefined,
    @Headers('cookie') cookie: string | undefined,
    @Body() body: unknown,
    @Ip() address: string | undefined,
  ): Promise<Response> {
    // RFC 9700 §4.11: a redirect after a post of credentials is 303, so the browser does not post them on.
    return this.answer(
      303,
      () => RequestParams.fromForm(contentType, body),
      (form) => {
        const browser = browserOf(cookie, address);
        if (isFactorPost(form)) return this.authorization.secondFactor(form.values, browser);
        return isLoginPost(form)
          ? this.authorization.login(form.values, browser)
          : this.authorization.authorize(form, browser);
      },
    );
  }

  /**
   * The one error path: an OAuthError that carries `redirect` goes back to the client (RFC 6749
   * §4.1.2.1) in the request's response mode; any other is shown to the user, in the language
   * the request asked for.
   */
  private async answer(
    redirectStatus: 302 | 303,
    read: () => RequestParams,
    run: (params: RequestParams) => Promise<AuthorizationOutcome>,
  ): Promise<Response> {
    let params: RequestParams | null = null;
    let outcome: AuthorizationOutcome;
    try {
      params = read();
      outcome = await run(params);
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      const target = error.options.redirect;
      if (target) return this.respond(errorResponse(error, target), redirectStatus, null);
      return errorPageResponse(
        error,
        params && !isLoginPost(params) && !isFactorPost(params)
          ? (params.values.ui_locales ?? null)
          : null,
        this.urls().stylesheet,
      );
    }
    if (outcome.kind === 'response')
      return this.respond(outcome.response, redirectStatus, outcome.sessionToken);
    const csrf = this.cookie(CSRF_COOKIE, outcome.csrfToken);
    if (outcome.kind === 'login')
      return this.page(200, renderLoginPage(outcome.form, this.urls()), [csrf]);
    const session =
      outcome.sessionToken === null ? [] : [this.cookie(SESSION_COOKIE, outcome.sessionToken)];
    const page = this.page(200, renderFactorPage(outcome.form, this.urls()), [csrf, ...session]);
    if (outcome.form.passkeyOptions !== null)
      page.headers.set('Content-Security-Policy', PASSKEY_PAGE_CSP);
    return page;
  }

  /**
   * An answer for the client: a redirect with the parameters in the query, or for form_post a
   * page whose one script posts them (OAuth 2.0 Form Post Response Mode §2).
   */
  private respond(
    response: AuthorizationResponse,
    redirectStatus: 302 | 303,
    sessionToken: string | null,
  ): Response {
    const cookies = sessionToken === null ? [] : [this.cookie(SESSION_COOKIE, sessionToken)];
    if (response.responseMode === ResponseMode.FormPost) {
      const page = this.page(200, renderFormPostPage(response), cookies);
      page.headers.set('Content-Security-Policy', FORM_POST_CSP);
      return page;
    }
    const headers = new globalThis.Headers({
      Location: responseLocation(response),
      'Cache-Control': 'no-store',
      Pragma: 'no-cache',
    });
    for (const cookie of cookies) headers.append('Set-Cookie', cookie);
    return new Response(null, { status: redirectStatus, headers });
  }

  private page(status: number, html: string, cookies: string[]): Response {
    const headers = new globalThis.Headers(PAGE_HEADERS);
    for (const cookie of cookies) headers.append('Set-Cookie', cookie);
    return new Response(html, { status, headers });
  }

  private cookie(name: string, value: string): string {
    return sessionCookie(name, value, {
      path: this.config.issuer.basePath || '/',
      secure: this.config.issuer.isHttps,
    });
  }

  private urls(): { action: string; stylesheet: string; script: string } {
    return {
      action: routePath(this.config, 'authorization'),
      stylesheet: routePath(this.config, 'loginStylesheet'),
      script: routePath(this.config, 'passkeyScript'),
    };
  }
}

function browserOf(header: string | undefined, address: string | undefined): BrowserCookies {
  return {
    sessionToken: readCookie(header, SESSION_COOKIE),
    csrfToken: readCookie(header, CSRF_COOKIE),
    address: address ?? null,
  };
}

/** A post of the login form rather than an authorization request. */
function isLoginPost(params: RequestParams): boolean {
  return params.has(LOGIN_TICKET_FIELD);
}

/** A post of the second-factor form. */
function isFactorPost(params: RequestParams): boolean {
  return params.has(FACTOR_TICKET_FIELD);
}
