import { Injectable } from '@nestjs/common';

import { AccountService, UserAccount } from '@app/accounts';
import {
  acrValuesRequireMfa,
  Amr,
  FactorService,
  GroupMfaPolicy,
  PasskeyService,
} from '@app/factors';
import { OtpChallengeService, OtpChannel } from '@app/otp';
import { AuditLog } from '@app/persistence';

import { AuthorizationRequest } from './authorization-request';
import { expiredForm, FactorMethod, FactorStep, LoginTicketService } from './login-ticket.service';

/** The name of the hidden field that carries a second-step ticket. */
export const FACTOR_TICKET_FIELD = 'factor_ticket';

/** What the second-factor page shows. */
export interface FactorForm {
  /** The sealed half-finished sign-in, posted back in FACTOR_TICKET_FIELD. */
  readonly ticket: string;
  readonly clientName: string | null;
  readonly uiLocales: string | null;
  /** `code`: type a code; `enrol`: set up an app, then type its code; `enrolled`: note the recovery codes. */
  readonly stage: FactorStep['stage'];
  /** How the code of the `code` stage comes. */
  readonly method: FactorMethod | null;
  /** The other ways the user may choose (CONTRACT §5: the user chooses when there are several). */
  readonly alternatives: readonly FactorMethod[];
  /** Where an SMS or e-mail code went, partly hidden. */
  readonly destination: string | null;
  /** The secret and its otpauth:// URI to show (as a QR code) at enrolment. */
  readonly enrolment: { readonly secret: string; readonly otpauthUri: string } | null;
  /** Shown once, after enrolment. */
  readonly recoveryCodes: readonly string[] | null;
  /** The previous code was wrong (or the user is throttled: the same answer). */
  readonly failed: boolean;
  /** The navigator.credentials.get() options of a passkey ceremony, as JSON. */
  readonly passkeyOptions: string | null;
}

/** The answer to a post of the second-factor form. */
export type FactorAnswer =
  | { readonly kind: 'form'; readonly form: FactorForm }
  | {
      readonly kind: 'passed';
      readonly amr: readonly string[];
      /** New recovery codes after an enrolment, to show once before going on. */
      readonly recoveryCodes: readonly string[] | null;
    };

/**
 * The second step of the login page (CONTRACT §3 "Sign-in with more than a password"): whether
 * a sign-in needs a second factor (the client's `require_mfa`, `acr_values` naming
 * `urn:uas:acr:mfa`, or the user's groups), which one to ask for, and checking the code. An SMS
 * or e-mail code is sent at once when it is the first way the user has; a user with none sets up
 * a TOTP app. Failed codes count against the user like failed passwords.
 */
@Injectable()
export class SecondFactorService {
  constructor(
    private readonly factors: FactorService,
    private readonly groups: GroupMfaPolicy,
    private readonly otp: OtpChallengeService,
    private readonly accounts: AccountService,
    private readonly tickets: LoginTicketService,
    private readonly audit: AuditLog,
    private readonly passkeys: PasskeyService,
  ) {}

  /** True when this request, for this user, must pass a second factor. */
  async isRequired(request: AuthorizationRequest, userId: string): Promise<boolean> {
    if (request.client.metadata.require_mfa === true) return true;
    if (acrValuesRequireMfa(request.acrValues)) return true;
    return this.groups.requiresMfa(userId);
  }

  /** The user of a session, to step up (null when the user is gone). */
  findUser(userId: string): Promise<UserAccount | null> {
    return this.accounts.findById(userId);
  }

  /** The second step asked afresh from `step`, for the same sign-in or step-up. */
  private beginAgain(
    request: AuthorizationRequest,
    user: UserAccount,
    step: FactorStep,
    csrfToken: string,
    method: FactorMethod | null = null,
  ): Promise<FactorForm> {
    return this.begin(request, user, step.amr, csrfToken, method, step.sid ?? null);
  }

  /**
   * The second step for `user`, who has passed `amr`: a code by the first way they have (sent
   * at once when it is SMS or e-mail), or `method` when they chose one; enrolment of a TOTP app
   * when they have none.
   */
  async begin(
    request: AuthorizationRequest,
    user: UserAccount,
    amr: readonly string[],
    csrfToken: string,
    method: FactorMethod | null = null,
    sid: string | null = null,
  ): Promise<FactorForm> {
    const { methods, unreachable } = await this.waysOf(user);
    const base = {
      userId: user.id,
      userVersion: user.updatedAt.getTime(),
      amr: [...amr],
      reference: null,
      secret: null,
      ...(sid !== null ? { sid } : {}),
    };
    if (methods.length === 0 && unreachable) {
      // Fail closed: the account names a verified number or address for codes (its admin's
      // choice of second factor), so enrolling an app on the password alone would go around it.
      const step: FactorStep = { ...base, stage: 'unreachable', method: null };
      return this.form(request, step, csrfToken, {});
    }
    if (methods.length === 0) {
      const enrolment = this.factors.newTotp(user.username);
      const step: FactorStep = { ...base, stage: 'enrol', method: null, secret: enrolment.secret };
      return this.form(request, step, csrfToken, { enrolment });
    }
    const chosen = method && methods.includes(method) ? method : methods[0];
    const alternatives = methods.filter((m) => m !== chosen);
    if (chosen === 'totp') {
      const step: FactorStep = { ...base, stage: 'code', method: chosen };
      return this.form(request, step, csrfToken, { alternatives });
    }
    if (chosen === 'passkey') {
      const ceremony = await this.passkeys.authenticationCeremony(user.id);
      const step: FactorStep = {
        ...base,
        stage: 'code',
        method: chosen,
        challenge: ceremony.challenge,
      };
      return this.form(request, step, csrfToken, {
        alternatives,
        passkeyOptions: ceremony.optionsJson,
      });
    }
    const recipient = recipientOf(user, chosen) as string;
    const sent = await this.otp.sendSecondFactor({
      channel: chosen === 'sms' ? OtpChannel.Sms : OtpChannel.Email,
      clientId: request.client.clientId,
      recipient,
      uiLocales: request.uiLocales,
    });
    const step: FactorStep = {
      ...base,
      stage: 'code',
      method: chosen,
      reference: sent?.reference ?? null,
    };
    return this.form(request, step, csrfToken, {
      alternatives,
      destination: maskDestination(chosen, recipient),
    });
  }

  /**
   * A post of the form: `method` chooses another way (or sends a new code), `code` answers.
   * The step's stage is `code` or `enrol` here; `enrolled` belongs to the session. `address` is
   * the browser's, for the audit event.
   */
  async answer(
    values: Readonly<Record<string, string>>,
    request: AuthorizationRequest,
    step: FactorStep,
    csrfToken: string,
    address: string | null,
  ): Promise<FactorAnswer> {
    const user = await this.accounts.findById(step.userId);
    if (!user) return { kind: 'form', form: await this.failedForm(request, step, csrfToken) };
    // The password this step followed may have been changed since (by an administrator who
    // learned it was stolen): the change ended every session, and it voids this form too.
    if (step.userVersion !== undefined && step.userVersion !== user.updatedAt.getTime())
      throw expiredForm();
    // Nothing can be answered on this page: it is asked afresh (the number may have been fixed).
    if (step.stage === 'unreachable')
      return { kind: 'form', form: await this.beginAgain(request, user, step, csrfToken) };
    const chosen = values.method;
    if (step.stage === 'code' && isFactorMethod(chosen))
      return { kind: 'form', form: await this.beginAgain(request, user, step, csrfToken, chosen) };
    const code = values.code ?? '';
    if (step.stage === 'enrol' && step.secret) {
      // Enrolment is for a user with no way to pass; one given a factor meanwhile (by an
      // administrator) answers with it instead of adding this one.
      if ((await this.waysOf(user)).methods.length > 0)
        return { kind: 'form', form: await this.beginAgain(request, user, step, csrfToken) };
      const confirmed = await this.factors.confirmTotp(user.id, step.secret, code);
      await this.record(user.id, 'totp_enrolment', confirmed !== null, address);
      if (confirmed)
        return {
          kind: 'passed',
          amr: passed(step.amr, Amr.Otp),
          recoveryCodes: confirmed.recoveryCodes,
        };
      return { kind: 'form', form: await this.failedForm(request, step, csrfToken) };
    }
    const method =
      step.method === 'passkey'
        ? await this.checkPasskey(user.id, step, values.passkey ?? '')
        : await this.check(user.id, step, request, code);
    await this.record(user.id, step.method ?? 'totp', method !== null, address);
    if (method === null && step.method === 'passkey') {
      // The challenge is spent: a new ceremony, saying the last one failed.
      const again = await this.beginAgain(request, user, step, csrfToken, 'passkey');
      return { kind: 'form', form: { ...again, failed: true } };
    }
    if (method === null)
      return { kind: 'form', form: await this.failedForm(request, step, csrfToken) };
    return { kind: 'passed', amr: passed(step.amr, method), recoveryCodes: null };
  }

  /** The page after enrolment: the recovery codes, and a button to go on to the client. */
  enrolledForm(
    request: AuthorizationRequest,
    step: FactorStep,
    recoveryCodes: readonly string[],
    csrfToken: string,
  ): FactorForm {
    const next: FactorStep = { ...step, stage: 'enrolled', secret: null, reference: null };
    return this.form(request, next, csrfToken, { recoveryCodes });
  }

  /** CONTRACT §5: every sign-in step, never the code. */
  private async record(
    userId: string,
    method: string,
    success: boolean,
    address: string | null,
  ): Promise<void> {
    await this.audit.recordQuietly({
      type: 'signin',
      outcome: success ? 'success' : 'failure',
      subject: userId,
      ip: address,
      details: { method, step: 'second_factor' },
    });
  }

  /** RFC 8176 `hwk` for a passkey that signed this step's challenge (once), else null. */
  private async checkPasskey(
    userId: string,
    step: FactorStep,
    response: string,
  ): Promise<string | null> {
    if (!step.challenge || (await this.factors.isThrottled(userId))) return null;
    if (await this.passkeys.authenticate(userId, step.challenge, response)) {
      await this.factors.clearFailures(userId);
      return Amr.HardwareKey;
    }
    await this.factors.countFailure(userId);
    return null;
  }

  /** The RFC 8176 method a right code proves, or null (counted as a failure). */
  private async check(
    userId: string,
    step: FactorStep,
    request: AuthorizationRequest,
    code: string,
  ): Promise<string | null> {
    const typed = code.trim();
    // A TOTP code, or a recovery code in place of any code.
    if (step.method === 'totp' || !/^\d+$/.test(typed))
      return (await this.factors.verifyCode(userId, typed)) ? Amr.Otp : null;
    if (!step.reference || (await this.factors.isThrottled(userId))) return null;
    const right = await this.otp.checkSecondFactor({
      channel: step.method === 'sms' ? OtpChannel.Sms : OtpChannel.Email,
      clientId: request.client.clientId,
      reference: step.reference,
      code: typed,
    });
    if (!right) {
      await this.factors.countFailure(userId);
      return null;
    }
    await this.factors.clearFailures(userId);
    return step.method === 'sms' ? Amr.Sms : Amr.Otp;
  }

  /** The same step again, saying the code was wrong. */
  private async failedForm(
    request: AuthorizationRequest,
    step: FactorStep,
    csrfToken: string,
  ): Promise<FactorForm> {
    const user = await this.accounts.findById(step.userId);
    const methods = user ? (await this.waysOf(user)).methods : [];
    const recipient = user && step.method ? recipientOf(user, step.method) : null;
    return this.form(request, step, csrfToken, {
      failed: true,
      alternatives: methods.filter((m) => m !== step.method),
      destination:
        step.method && step.method !== 'totp' && recipient
          ? maskDestination(step.method, recipient)
          : null,
      enrolment:
        step.stage === 'enrol' && step.secret && user
          ? {
              secret: step.secret,
              otpauthUri: this.factors.otpauthUriOf(step.secret, user.username),
            }
          : null,
    });
  }

  /**
   * The ways the user can pass a second factor, the strongest first; `unreachable` when a
   * verified number or address on a channel that is set up can get no code.
   */
  private async waysOf(
    user: UserAccount,
  ): Promise<{ methods: FactorMethod[]; unreachable: boolean }> {
    const methods: FactorMethod[] = [];
    let unreachable = false;
    if (await this.factors.hasTotp(user.id)) methods.push('totp');
    if (await this.passkeys.hasPasskey(user.id)) methods.push('passkey');
    for (const [method, channel] of CODE_CHANNELS) {
      const recipient = recipientOf(user, method);
      if (!recipient || !this.otp.isAvailable(channel)) continue;
      if (this.otp.canSendSecondFactor(channel, recipient)) methods.push(method);
      else unreachable = true;
    }
    return { methods, unreachable };
  }

  private form(
    request: AuthorizationRequest,
    step: FactorStep,
    csrfToken: string,
    shown: Partial<Omit<FactorForm, 'ticket' | 'clientName' | 'uiLocales' | 'stage' | 'method'>>,
  ): FactorForm {
    return {
      ticket: this.tickets.sealFactorStep(request, step, csrfToken),
      clientName: request.client.metadata.client_name ?? null,
      uiLocales: request.uiLocales,
      stage: step.stage,
      method: step.method,
      alternatives: shown.alternatives ?? [],
      destination: shown.destination ?? null,
      enrolment: shown.enrolment ?? null,
      recoveryCodes: shown.recoveryCodes ?? null,
      failed: shown.failed ?? false,
      passkeyOptions: shown.passkeyOptions ?? null,
    };
  }
}

/** The second factors that are a code sent to the user's verified number or address. */
const CODE_CHANNELS = [
  ['sms', OtpChannel.Sms],
  ['email', OtpChannel.Email],
] as const;

function isFactorMethod(value: string | undefined): value is FactorMethod {
  return value === 'totp' || value === 'passkey' || value === 'sms' || value === 'email';
}

/** `amr` after a second factor by `method`: RFC 8176 §2 `mfa` says there were two. */
function passed(amr: readonly string[], method: string): string[] {
  return [...new Set([...amr, method, Amr.Mfa])];
}

/** The user's verified number or address for `method`, or null. */
function recipientOf(user: UserAccount, method: FactorMethod): string | null {
  const c = user.claims;
  if (method === 'sms')
    return c.phone_number && c.phone_number_verified === true ? c.phone_number : null;
  if (method === 'email') return c.email && c.email_verified === true ? c.email : null;
  return null;
}

/** Enough of the destination for the user to recognise it, not enough to learn it. */
function maskDestination(method: FactorMethod, recipient: string): string {
  if (method === 'sms') return `••• ${recipient.replace(/\D/g, '').slice(-3)}`;
  const [local, domain] = recipient.split('@');
  return `${local.slice(0, 1)}•••@${domain}`;
}
