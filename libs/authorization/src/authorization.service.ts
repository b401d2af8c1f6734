import { Injectable } from '@nestjs/common';

import { PasswordLogin, UserGroups } from '@app/accounts';
import { Clock } from '@app/config';
import { OAuthError } from '@app/errors';
import { AuditContext } from '@app/persistence';

import { AuthorizationInput, AuthorizationRequest } from './authorization-request';
import { AuthorizationRequestValidator } from './authorization-request.validator';
import { AuthorizationResponse, codeResponse, errorTargetOf } from './authorization-response';
import { AuthorizationCodeService } from './authorization-code.service';
import { IdTokenHintVerifier } from './id-token-hint.verifier';
import { LoginSession, LoginSessionService } from './login-session.service';
import { expiredForm, LoginTicketService } from './login-ticket.service';
import { FACTOR_TICKET_FIELD, FactorForm, SecondFactorService } from './second-factor.service';

/** The cookies of the browser making the request. */
export interface BrowserCookies {
  /** The login session cookie. */
  readonly sessionToken: string | null;
  /** The CSRF cookie the login form is bound to. */
  readonly csrfToken: string | null;
  /** The browser's address (per TRUST_PROXY), for the password checks' limits. */
  readonly address: string | null;
}

/** What the login page shows. */
export interface LoginForm {
  /** The sealed request, posted back in a hidden field. */
  readonly ticket: string;
  readonly clientName: string | null;
  /** Pre-fills the username (login_hint, or what the user typed). */
  readonly username: string | null;
  readonly uiLocales: string | null;
  /** The previous attempt failed. */
  readonly failed: boolean;
  /**
   * The browser is signed in as a user the client's `allowed_groups` refuse: the page says so
   * and offers to sign in with another account, instead of sending the user back to a client
   * that would send them here again.
   */
  readonly notAllowed?: boolean;
}

/** The name of the hidden field that carries the login ticket. */
export const LOGIN_TICKET_FIELD = 'login_ticket';

/**
 * What the authorization endpoint answers when all went well: a code for the client, in the
 * request's response mode (with a new session cookie after a sign-in), or the login page (with
 * the CSRF cookie it is bound to). Every error is a thrown OAuthError, sent to the client when it
 * carries `redirect`.
 */
export type AuthorizationOutcome =
  | {
      readonly kind: 'response';
      readonly response: AuthorizationResponse;
      readonly sessionToken: string | null;
    }
  | { readonly kind: 'login'; readonly form: LoginForm; readonly csrfToken: string }
  | {
      readonly kind: 'factor';
      readonly form: FactorForm;
      readonly csrfToken: string;
      /** Set once the second factor was passed and the page still has something to show. */
      readonly sessionToken: string | null;
    };

/**
 * The authorization endpoint (RFC 6749 §4.1, OIDC Core §3.1.2) as steps: validate the request,
 * pass a browser with a fresh enough session straight to the client, and otherwise sign the
 * user in with the login form, whose failures count against the password grant's limits.
 */
@Injectable()
export class AuthorizationService {
  constructor(
    private readonly validator: AuthorizationRequestValidator,
    private readonly sessions: LoginSessionService,
    private readonly tickets: LoginTicketService,
    private readonly codes: AuthorizationCodeService,
    private readonly passwords: PasswordLogin,
    private readonly clock: Clock,
    private readonly userGroups: UserGroups,
    private readonly secondFactors: SecondFactorService,
    private readonly hints: IdTokenHintVerifier,
  ) {}

  /** An authorization request, from the query or a form. */
  async authorize(
    input: AuthorizationInput,
    browser: BrowserCookies,
  ): Promise<AuthorizationOutcome> {
    const request = await this.validator.validate(input);
    const found = await this.sessions.find(browser.sessionToken);
    // OIDC Core §3.1.2.1: an id_token_hint naming another user than the session's is no
    // session for this request: prompt=none answers login_required, otherwise the form.
    const session =
      found && (await this.hintNamesOther(input.values.id_token_hint, request, found.userId))
        ? null
        : found;
    if (session && !this.mustSignIn(request, session)) {
      if (!(await this.mayUse(request, session.userId))) {
        // CONTRACT §4 allowed_groups: without a user to ask (prompt=none), the client hears it;
        // otherwise the user may sign in with another account, or is refused after that sign-in.
        if (request.promptNone) throw accessDenied(request);
        return this.loginForm(request, browser, request.loginHint, false, true);
      }
      if (!(await this.needsSecondFactor(request, session)))
        return this.respondWithCode(request, session, null);
      const stepUp = await this.stepUp(request, session, browser);
      if (stepUp) return stepUp;
    }
    if (request.promptNone) {
      // OIDC Core §3.1.2.6: prompt=none and the user must sign in.
      throw new OAuthError('login_required', 'The user must sign in.', {
        redirect: errorTargetOf(request),
      });
    }
    return this.loginForm(request, browser, request.loginHint, false);
  }

  /** A post of the login form: `login_ticket`, `username`, `password` (each sent once, with a value). */
  async login(
    form: Readonly<Record<string, string>>,
    browser: BrowserCookies,
  ): Promise<AuthorizationOutcome> {
    const ticket = form[LOGIN_TICKET_FIELD] ?? null;
    const request = ticket === null ? null : await this.tickets.open(ticket, browser.csrfToken);
    if (!request) throw expiredForm();
    const username = form.username ?? null;
    const password = form.password ?? null;
    const user =
      username && password
        ? await this.passwords.authenticate(username, password, browser.address)
        : null;
    // One answer for an unknown user, a wrong password and a throttled username.
    if (!user) return this.loginForm(request, browser, username, true);
    // CONTRACT §4 allowed_groups, checked before a session starts: a refused user leaves no
    // session behind, so the next request for this client asks for another account.
    if (!(await this.mayUse(request, user.id))) throw accessDenied(request);
    // CONTRACT §3: no session until the second factor, when one is required.
    if (await this.secondFactors.isRequired(request, user.id)) {
      const csrfToken = this.csrfTokenOf(browser);
      const form = await this.secondFactors.begin(request, user, ['pwd'], csrfToken);
      return { kind: 'factor', form, csrfToken, sessionToken: null };
    }
    // A new cookie value at every sign-in, so none set before it can be ridden (session fixation).
    const { token, session } = await this.sessions.start(
      user.id,
      ['pwd'],
      browser.sessionToken,
      auditContextOf(browser),
    );
    return this.respondWithCode(request, session, token);
  }

  /** A post of the second-factor form: `factor_ticket`, and `code`, `method` or `continue`. */
  async secondFactor(
    form: Readonly<Record<string, string>>,
    browser: BrowserCookies,
  ): Promise<AuthorizationOutcome> {
    const ticket = form[FACTOR_TICKET_FIELD] ?? null;
    const opened =
      ticket === null ? null : await this.tickets.openFactorStep(ticket, browser.csrfToken);
    if (!opened) throw expiredForm();
    const { request, step } = opened;
    const csrfToken = browser.csrfToken as string;
    const stepUp = step.sid !== undefined;
    const current =
      stepUp || step.stage === 'enrolled' ? await this.sessions.find(browser.sessionToken) : null;
    // A step-up adds to a session; once it ended (a logout in another tab, an administrator),
    // its form would begin a new session on the second factor alone.
    if (stepUp && (!current || current.sid !== step.sid || current.userId !== step.userId))
      throw expiredForm();
    if (step.stage === 'enrolled') {
      // The session began with the enrolment; going on needs that very session.
      if (!current || current.userId !== step.userId) throw expiredForm();
      return this.respondWithCode(request, current, null);
    }
    const answer = await this.secondFactors.answer(form, request, step, csrfToken, browser.address);
    if (answer.kind === 'form')
      return { kind: 'factor', form: answer.form, csrfToken, sessionToken: null };
    const { token, session } = await this.sessions.start(
      step.userId,
      answer.amr,
      browser.sessionToken,
      auditContextOf(browser),
    );
    if (!answer.recoveryCodes) return this.respondWithCode(request, session, token);
    const shown = this.secondFactors.enrolledForm(request, step, answer.recoveryCodes, csrfToken);
    return { kind: 'factor', form: shown, csrfToken, sessionToken: token };
  }

  /**
   * Whether the hint is an ID token of ours, issued to this client, about another user than
   * `userId`. A hint that does not verify (a retired key, another client's) is only a hint, and
   * is ignored: the session answers as without one.
   */
  private async hintNamesOther(
    token: string | undefined,
    request: AuthorizationRequest,
    userId: string,
  ): Promise<boolean> {
    if (token === undefined) return false;
    const hint = await this.hints.verify(token);
    if (!hint || hint.client.clientId !== request.client.clientId) return false;
    return hint.subject !== userId;
  }

  /** A session without a second factor, and this request needs one. */
  private async needsSecondFactor(
    request: AuthorizationRequest,
    session: LoginSession,
  ): Promise<boolean> {
    if (session.amr.includes('mfa')) return false;
    return this.secondFactors.isRequired(request, session.userId);
  }

  /** Asks the session's user for the second factor alone; null when the user is gone. */
  private async stepUp(
    request: AuthorizationRequest,
    session: LoginSession,
    browser: BrowserCookies,
  ): Promise<AuthorizationOutcome | null> {
    // OIDC Core §3.1.2.6: the user would have to interact.
    if (request.promptNone) {
      throw new OAuthError('interaction_required', 'The user must pass a second factor.', {
        redirect: errorTargetOf(request),
      });
    }
    const user = await this.secondFactors.findUser(session.userId);
    if (!user) return null;
    const csrfToken = this.csrfTokenOf(browser);
    const form = await this.secondFactors.begin(
      request,
      user,
      session.amr,
      csrfToken,
      null,
      session.sid,
    );
    return { kind: 'factor', form, csrfToken, sessionToken: null };
  }

  /** The browser's CSRF cookie when it is one of ours (other open forms stay valid), else a new one. */
  private csrfTokenOf(browser: BrowserCookies): string {
    return this.tickets.isCsrfToken(browser.csrfToken)
      ? browser.csrfToken
      : this.tickets.newCsrfToken();
  }

  /** prompt=login, max_age=0, or a sign-in older than max_age (OIDC Core §3.1.2.1). */
  private mustSignIn(request: AuthorizationRequest, session: LoginSession): boolean {
    if (request.promptLogin) return true;
    if (request.maxAgeSeconds === null) return false;
    const elapsedSeconds = (this.clock.now().getTime() - session.authTime.getTime()) / 1000;
    return elapsedSeconds > request.maxAgeSeconds;
  }

  private mayUse(request: AuthorizationRequest, userId: string): Promise<boolean> {
    return this.userGroups.mayUse(request.client.metadata.allowed_groups, userId);
  }

  private async respondWithCode(
    request: AuthorizationRequest,
    session: LoginSession,
    sessionToken: string | null,
  ): Promise<AuthorizationOutcome> {
    const code = await this.codes.issue(request, session);
    return { kind: 'response', response: codeResponse(request, code), sessionToken };
  }

  private loginForm(
    request: AuthorizationRequest,
    browser: BrowserCookies,
    username: string | null,
    failed: boolean,
    notAllowed = false,
  ): AuthorizationOutcome {
    const csrfToken = this.csrfTokenOf(browser);
    const form: LoginForm = {
      ticket: this.tickets.seal(request, csrfToken),
      clientName: request.client.metadata.client_name ?? null,
      username,
      uiLocales: request.uiLocales,
      failed,
      ...(notAllowed ? { notAllowed } : {}),
    };
    return { kind: 'login', form, csrfToken };
  }
}

/** A browser is no administrator: its events name only its address. */
function auditContextOf(browser: BrowserCookies): AuditContext {
  return { actor: null, ip: browser.address };
}

/** RFC 6749 §4.1.2.1: the user (in none of the client's `allowed_groups`) may not use the client. */
function accessDenied(request: AuthorizationRequest): OAuthError {
  return new OAuthError('access_denied', 'The user is not allowed to use this application.', {
    redirect: errorTargetOf(request),
  });
}
