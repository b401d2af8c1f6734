import { Injectable } from '@nestjs/common';

import { ClientRegistry } from '@app/clients';
import { Clock } from '@app/config';
import { DecryptionError, hashToken, MasterKeyCipher, randomToken, safeEqual } from '@app/crypto';
import { OAuthError, ResponseMode } from '@app/errors';

import { AuthorizationRequest } from './authorization-request';
import { isPkceMethod } from './pkce';
import { isRegisteredRedirectUri } from './redirect-uri';

/** How long a login form may stay open before it must be reloaded from the client. */
export const LOGIN_FORM_TTL_SECONDS = 30 * 60;
/** How long the second-factor form of a half-finished sign-in stays open. */
export const FACTOR_FORM_TTL_SECONDS = 10 * 60;
/** AAD of the envelope: a ticket is no other kind of ciphertext. */
const CONTEXT = 'login_ticket';
/** AAD of a second-step ticket: a first-step ticket is never taken for one, nor the reverse. */
const FACTOR_CONTEXT = 'login_factor_ticket';
/** AAD of a passkey registration form's ticket. */
const PASSKEY_CONTEXT = 'passkey_registration_ticket';
/** 256 random bits, base64url. */
const CSRF_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** How the second factor is being asked for. */
export type FactorMethod = 'totp' | 'passkey' | 'sms' | 'email';

/**
 * A sign-in between the password and the second factor, kept sealed in the form and never as a
 * session (CONTRACT §3): whose, what they passed, and what is being asked.
 */
export interface FactorStep {
  readonly userId: string;
  /**
   * The user's `updatedAt` (ms) when the step began: a change of the user since (a new password
   * above all, which ends everything the old one obtained) voids the form. Absent from tickets
   * sealed before it existed.
   */
  readonly userVersion?: number;
  /** RFC 8176 methods passed so far (`pwd`). */
  readonly amr: readonly string[];
  /**
   * `code`: a code by `method`; `enrol`: confirm `secret` with a code; `enrolled`: shown the
   * recovery codes; `unreachable`: no way to pass (a verified number or address no code can go to).
   */
  readonly stage: 'code' | 'enrol' | 'enrolled' | 'unreachable';
  readonly method: FactorMethod | null;
  /** The OTP challenge reference of an SMS or e-mail code. */
  readonly reference: string | null;
  /** The TOTP secret being enrolled (sealed, so it never rests anywhere unencrypted). */
  readonly secret: string | null;
  /** The WebAuthn challenge of a passkey ceremony (absent from tickets of other methods). */
  readonly challenge?: string | null;
  /**
   * The session a step-up adds the factor to (its sid); absent at a first sign-in. The form is
   * void once that session has ended: a logout ends what it began too.
   */
  readonly sid?: string;
}

/** What a ticket holds: the validated request (the client by id), the form's expiry and the CSRF binding. */
interface TicketContent {
  exp: number;
  csrf: string;
  /** Present in second-step tickets only. */
  step?: FactorStep;
  // responseMode is absent from tickets sealed before response modes existed: those were query.
  request: Omit<AuthorizationRequest, 'client' | 'responseMode' | 'acrValues'> & {
    clientId: string;
    responseMode?: ResponseMode;
    acrValues?: string | null;
  };
}

/**
 * The login form carries the validated authorization request in a hidden field, sealed
 * (AES-256-GCM under a key from MASTER_KEY) and bound to the browser's CSRF cookie: a form
 * posted from another site, or a ticket taken to another browser, is refused. Stateless, so any
 * instance can take the post, and a request object's single-use jti is not needed again.
 */
@Injectable()
export class LoginTicketService {
  constructor(
    private readonly cipher: MasterKeyCipher,
    private readonly clients: ClientRegistry,
    private readonly clock: Clock,
  ) {}

  /** A fresh CSRF cookie value. */
  newCsrfToken(): string {
    return randomToken(32);
  }

  /** True when a cookie value can be a CSRF token we issued (then it is kept: other open forms stay valid). */
  isCsrfToken(value: string | null): value is string {
    return value !== null && CSRF_TOKEN.test(value);
  }

  /** Seals `request` for the form of the browser holding `csrfToken`. */
  seal(request: AuthorizationRequest, csrfToken: string): string {
    return this.sealContent(request, csrfToken, LOGIN_FORM_TTL_SECONDS, undefined, CONTEXT);
  }

  /** Seals a sign-in waiting for its second factor, for the browser holding `csrfToken`. */
  sealFactorStep(request: AuthorizationRequest, step: FactorStep, csrfToken: string): string {
    return this.sealContent(request, csrfToken, FACTOR_FORM_TTL_SECONDS, step, FACTOR_CONTEXT);
  }

  /** The request and step of a second-step ticket, on the terms of `open`. */
  async openFactorStep(
    ticket: string,
    csrfToken: string | null,
  ): Promise<{ request: AuthorizationRequest; step: FactorStep } | null> {
    const content = this.unseal(ticket, FACTOR_CONTEXT);
    const request = content?.step && (await this.requestOf(content, csrfToken));
    return request && content?.step ? { request, step: content.step } : null;
  }

  /** Seals a passkey registration's user and challenge for the browser holding `csrfToken`. */
  sealPasskeyRegistration(
    registration: { userId: string; challenge: string },
    csrfToken: string,
  ): string {
    const content = {
      ...registration,
      exp: this.clock.nowSeconds() + FACTOR_FORM_TTL_SECONDS,
      csrf: hashToken(csrfToken).toString('base64url'),
    };
    return this.cipher.encrypt(JSON.stringify(content), PASSKEY_CONTEXT);
  }

  /** The registration of a ticket posted with the browser's CSRF cookie, or null. */
  openPasskeyRegistration(
    ticket: string,
    csrfToken: string | null,
  ): { userId: string; challenge: string } | null {
    try {
      const content = JSON.parse(this.cipher.decryptString(ticket, PASSKEY_CONTEXT)) as {
        userId: string;
        challenge: string;
        exp: number;
        csrf: string;
      };
      if (!this.isCsrfToken(csrfToken) || content.exp <= this.clock.nowSeconds()) return null;
      if (!safeEqual(hashToken(csrfToken).toString('base64url'), content.csrf)) return null;
      return { userId: content.userId, challenge: content.challenge };
    } catch (error) {
      if (error instanceof DecryptionError || error instanceof SyntaxError) return null;
      throw error;
    }
  }

  private sealContent(
    request: AuthorizationRequest,
    csrfToken: string,
    ttlSeconds: number,
    step: FactorStep | undefined,
    context: string,
  ): string {
    const { client, ...rest } = request;
    const content: TicketContent = {
      exp: this.clock.nowSeconds() + ttlSeconds,
      csrf: hashToken(csrfToken).toString('base64url'),
      ...(step ? { step } : {}),
      request: { ...rest, clientId: client.clientId },
    };
    return this.cipher.encrypt(JSON.stringify(content), context);
  }

  /**
   * The request of a ticket posted with the browser's CSRF cookie; null when the ticket is
   * forged, expired or another browser's, or its client or redirect URI is gone.
   */
  async open(ticket: string, csrfToken: string | null): Promise<AuthorizationRequest | null> {
    const content = this.unseal(ticket, CONTEXT);
    return content && this.requestOf(content, csrfToken);
  }

  private async requestOf(
    content: TicketContent,
    csrfToken: string | null,
  ): Promise<AuthorizationRequest | null> {
    if (!content || !this.isCsrfToken(csrfToken) || content.exp <= this.clock.nowSeconds())
      return null;
    if (!safeEqual(hashToken(csrfToken).toString('base64url'), content.csrf)) return null;
    const { clientId, responseMode, ...request } = content.request;
    const client = await this.clients.findById(clientId);
    if (!client || !isRegisteredRedirectUri(request.redirectUri, client.metadata.redirect_uris))
      return null;
    // acrValues is absent from tickets sealed before second factors existed.
    return {
      ...request,
      acrValues: request.acrValues ?? null,
      responseMode: responseMode ?? ResponseMode.Query,
      client,
    };
  }

  private unseal(ticket: string, context: string): TicketContent | null {
    try {
      const content = JSON.parse(this.cipher.decryptString(ticket, context)) as TicketContent;
      const method = content.request.codeChallengeMethod;
      return method === null || isPkceMethod(method) ? content : null;
    } catch (error) {
      if (
        error instanceof DecryptionError ||
        error instanceof SyntaxError ||
        error instanceof TypeError
      )
        return null;
      throw error;
    }
  }
}

/** A sign-in form past its time, from another browser, or overtaken by a change of the user. */
export function expiredForm(): OAuthError {
  return new OAuthError(
    'invalid_request',
    'The sign-in form has expired or was not opened in this browser. Return to the application and start again.',
  );
}
