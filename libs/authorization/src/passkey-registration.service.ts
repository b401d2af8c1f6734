import { Injectable } from '@nestjs/common';

import { AccountService } from '@app/accounts';
import { Amr, PasskeyService } from '@app/factors';

import { BrowserCookies } from './authorization.service';
import { LoginSessionService } from './login-session.service';
import { LoginTicketService } from './login-ticket.service';

/** The name of the hidden field that carries a passkey registration's ticket. */
export const PASSKEY_TICKET_FIELD = 'passkey_ticket';

/** What the passkey registration page shows. */
export type PasskeyRegistrationOutcome =
  | {
      readonly kind: 'form';
      readonly ticket: string;
      readonly optionsJson: string;
      readonly csrfToken: string;
    }
  | { readonly kind: 'added' }
  | {
      readonly kind: 'failed';
      readonly ticket: string;
      readonly optionsJson: string;
      readonly csrfToken: string;
    }
  | { readonly kind: 'sign_in_first' };

/**
 * A signed-in user adds a passkey (CONTRACT §3). Only a session that passed a second factor may:
 * a password alone must not be enough to add a factor that would then stand in for the second
 * one. The challenge rides sealed in the form, bound to the CSRF cookie, and is answered once.
 */
@Injectable()
export class PasskeyRegistrationService {
  constructor(
    private readonly sessions: LoginSessionService,
    private readonly accounts: AccountService,
    private readonly tickets: LoginTicketService,
    private readonly passkeys: PasskeyService,
  ) {}

  /** The registration form for the browser's session. */
  async start(browser: BrowserCookies): Promise<PasskeyRegistrationOutcome> {
    const user = await this.signedInUser(browser);
    if (!user) return { kind: 'sign_in_first' };
    return { kind: 'form', ...(await this.ceremony(user, browser)) };
  }

  /** A post of the form: `passkey_ticket` and `passkey` (the browser's credential JSON). */
  async register(
    form: Readonly<Record<string, string>>,
    browser: BrowserCookies,
  ): Promise<PasskeyRegistrationOutcome> {
    const user = await this.signedInUser(browser);
    const opened = this.tickets.openPasskeyRegistration(
      form[PASSKEY_TICKET_FIELD] ?? '',
      browser.csrfToken,
    );
    if (!user || !opened || opened.userId !== user.id) return { kind: 'sign_in_first' };
    if (await this.passkeys.register(user.id, opened.challenge, form.passkey ?? ''))
      return { kind: 'added' };
    return { kind: 'failed', ...(await this.ceremony(user, browser)) };
  }

  private async ceremony(
    user: { id: string; username: string },
    browser: BrowserCookies,
  ): Promise<{ ticket: string; optionsJson: string; csrfToken: string }> {
    const csrfToken = this.tickets.isCsrfToken(browser.csrfToken)
      ? browser.csrfToken
      : this.tickets.newCsrfToken();
    const ceremony = await this.passkeys.registrationCeremony(user);
    const ticket = this.tickets.sealPasskeyRegistration(
      { userId: user.id, challenge: ceremony.challenge },
      csrfToken,
    );
    return { ticket, optionsJson: ceremony.optionsJson, csrfToken };
  }

  private async signedInUser(
    browser: BrowserCookies,
  ): Promise<{ id: string; username: string } | null> {
    const session = await this.sessions.find(browser.sessionToken);
    if (!session || !session.amr.includes(Amr.Mfa)) return null;
    return this.accounts.findById(session.userId);
  }
}
