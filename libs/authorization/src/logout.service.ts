import { Injectable } from '@nestjs/common';

import { ClientRegistry, RegisteredClient } from '@app/clients';
import { hashToken, safeEqual } from '@app/crypto';
import { OAuthError } from '@app/errors';
import { AuditContext } from '@app/persistence';

import { IdTokenHintVerifier } from './id-token-hint.verifier';
import { LoginSession, LoginSessionService } from './login-session.service';

/** The hidden field of the confirmation form that proves it was shown to this browser (CSRF). */
export const LOGOUT_CONFIRM_FIELD = 'logout_confirm';

/** RP-Initiated Logout 1.0 §2 request parameters, as strings when present. */
export interface LogoutInput {
  readonly id_token_hint?: string;
  readonly client_id?: string;
  readonly post_logout_redirect_uri?: string;
  readonly state?: string;
  readonly ui_locales?: string;
  readonly logout_hint?: string;
  readonly [LOGOUT_CONFIRM_FIELD]?: string;
}

/** What the browser gets. */
export type LogoutOutcome =
  | {
      /** The session ended (or there was none): go to `redirect`, or show the signed-out page. */
      readonly kind: 'done';
      readonly redirect: string | null;
      readonly uiLocales: string | null;
      readonly clientName: string | null;
    }
  | {
      /** Ask the user first; the form posts `fields` back, with the CSRF proof among them. */
      readonly kind: 'confirm';
      readonly fields: Readonly<Record<string, string>>;
      readonly uiLocales: string | null;
      readonly clientName: string | null;
    };

/**
 * The end_session_endpoint (OpenID Connect RP-Initiated Logout 1.0). With a valid
 * id_token_hint for the browser's own session, the session ends at once; otherwise the user
 * confirms on a page first (§2: the OP SHOULD ask, since anyone can link a browser here). A
 * post_logout_redirect_uri is followed only when it is registered by the client the hint or
 * client_id names, compared exactly (§3.1); anything wrong about the request is shown on an
 * error page, never redirected.
 */
@Injectable()
export class LogoutService {
  constructor(
    private readonly sessions: LoginSessionService,
    private readonly hints: IdTokenHintVerifier,
    private readonly clients: ClientRegistry,
  ) {}

  /** `source` is the browser's request, for the logout event. */
  async logout(
    input: LogoutInput,
    sessionToken: string | null,
    source: AuditContext,
  ): Promise<LogoutOutcome> {
    const hint = input.id_token_hint ? await this.hints.verify(input.id_token_hint) : null;
    if (input.id_token_hint && !hint)
      throw new OAuthError('invalid_request', 'The id_token_hint is not an ID token issued here.');
    const client = await this.client(input, hint?.client ?? null);
    const redirect = this.redirect(input, client);
    const uiLocales = input.ui_locales ?? null;
    const clientName = client?.metadata.client_name ?? null;
    const done: LogoutOutcome = { kind: 'done', redirect, uiLocales, clientName };

    const session = await this.sessions.find(sessionToken);
    if (!session) {
      // No cookie came (a cross-site POST carries no SameSite=Lax cookie, §2 allows POST): the
      // hint, an ID token of ours the client holds, names the session to end by its sid, as the
      // cookie would have.
      if (sessionToken === null && hint?.sid) await this.sessions.endBySid(hint.sid, source);
      return done;
    }
    const confirmed = input[LOGOUT_CONFIRM_FIELD];
    const proven =
      confirmed !== undefined
        ? sessionToken !== null && safeEqual(confirmed, confirmProof(sessionToken))
        : hint !== null && hintNamesSession(hint, session);
    if (proven) {
      await this.sessions.end(sessionToken, source);
      return done;
    }
    return {
      kind: 'confirm',
      fields: {
        ...pick(input, ['client_id', 'post_logout_redirect_uri', 'state', 'ui_locales']),
        ...(client && !input.client_id ? { client_id: client.clientId } : {}),
        [LOGOUT_CONFIRM_FIELD]: confirmProof(sessionToken!),
      },
      uiLocales,
      clientName,
    };
  }

  /** §2: client_id, when sent with a hint, must be the hint's audience. */
  private async client(
    input: LogoutInput,
    hinted: RegisteredClient | null,
  ): Promise<RegisteredClient | null> {
    if (input.client_id === undefined) return hinted;
    if (hinted && hinted.clientId !== input.client_id)
      throw new OAuthError(
        'invalid_request',
        'The client_id is not the audience of the id_token_hint.',
      );
    const client = hinted ?? (await this.clients.findById(input.client_id));
    if (!client) throw new OAuthError('invalid_client', 'The client is not registered.');
    return client;
  }

  /** §3.1: exactly a registered post_logout_redirect_uri, with `state` added (§2). */
  private redirect(input: LogoutInput, client: RegisteredClient | null): string | null {
    const uri = input.post_logout_redirect_uri;
    if (uri === undefined) return null;
    if (!client)
      throw new OAuthError(
        'invalid_request',
        'A post_logout_redirect_uri needs an id_token_hint or a client_id.',
      );
    if (!(client.metadata.post_logout_redirect_uris ?? []).includes(uri))
      throw new OAuthError(
        'invalid_request',
        'The post_logout_redirect_uri is not registered for the client.',
      );
    if (input.state === undefined) return uri;
    const url = new URL(uri);
    url.searchParams.append('state', input.state);
    return url.href;
  }
}

/** The hint is about this browser's session: its sid, or (without one) its user. */
function hintNamesSession(
  hint: { subject: string; sid: string | null },
  session: LoginSession,
): boolean {
  return hint.sid !== null ? hint.sid === session.sid : hint.subject === session.userId;
}

/**
 * What the confirmation form carries: a digest of the session cookie, which a page on another
 * site can neither read nor compute, so only a form this server showed this browser ends its
 * session (a cross-site post without it gets the confirmation page again).
 */
function confirmProof(sessionToken: string): string {
  return hashToken(`uas logout confirmation:${sessionToken}`).toString('base64url');
}

function pick(input: LogoutInput, names: readonly (keyof LogoutInput)[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = input[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}
