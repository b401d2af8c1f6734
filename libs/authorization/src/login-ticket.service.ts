import { Injectable } from '@nestjs/common';

import { ClientRegistry } from '@app/clients';
import { Clock } from '@app/config';
import { DecryptionError, hashToken, MasterKeyCipher, randomToken, safeEqual } from '@app/crypto';
import { ResponseMode } from '@app/errors';

import { AuthorizationRequest } from './authorization-request';
import { isPkceMethod } from './pkce';
import { isRegisteredRedirectUri } from './redirect-uri';

/** How long a login form may stay open before it must be reloaded from the client. */
export const LOGIN_FORM_TTL_SECONDS = 30 * 60;
/** AAD of the envelope: a ticket is no other kind of ciphertext. */
const CONTEXT = 'login_ticket';
/** 256 random bits, base64url. */
const CSRF_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** What a ticket holds: the validated request (the client by id), the form's expiry and the CSRF binding. */
interface TicketContent {
  exp: number;
  csrf: string;
  // responseMode is absent from tickets sealed before response modes existed: those were query.
  request: Omit<AuthorizationRequest, 'client' | 'responseMode'> & {
    clientId: string;
    responseMode?: ResponseMode;
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
    const { client, ...rest } = request;
    const content: TicketContent = {
      exp: this.clock.nowSeconds() + LOGIN_FORM_TTL_SECONDS,
      csrf: hashToken(csrfToken).toString('base64url'),
      request: { ...rest, clientId: client.clientId },
    };
    return this.cipher.encrypt(JSON.stringify(content), CONTEXT);
  }

  /**
   * The request of a ticket posted with the browser's CSRF cookie; null when the ticket is
   * forged, expired or another browser's, or its client or redirect URI is gone.
   */
  async open(ticket: string, csrfToken: string | null): Promise<AuthorizationRequest | null> {
    const content = this.unseal(ticket);
    if (!content || !this.isCsrfToken(csrfToken) || content.exp <= this.clock.nowSeconds())
      return null;
    if (!safeEqual(hashToken(csrfToken).toString('base64url'), content.csrf)) return null;
    const { clientId, responseMode, ...request } = content.request;
    const client = await this.clients.findById(clientId);
    if (!client || !isRegisteredRedirectUri(request.redirectUri, client.metadata.redirect_uris))
      return null;
    return { ...request, responseMode: responseMode ?? ResponseMode.Query, client };
  }

  private unseal(ticket: string): TicketContent | null {
    try {
      const content = JSON.parse(this.cipher.decryptString(ticket, CONTEXT)) as TicketContent;
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
