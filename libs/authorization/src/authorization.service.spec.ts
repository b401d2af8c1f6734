import { PasswordLogin, UserAccount, UserGroups } from '@app/accounts';
import { RegisteredClient } from '@app/clients';
import { FixedClock } from '@app/config';
import { OAuthError } from '@app/errors';

import { caught, mockOf } from '../../../test/mocks';
import { AuthorizationRequest } from './authorization-request';
import { AuthorizationRequestValidator } from './authorization-request.validator';
import { AuthorizationCodeService } from './authorization-code.service';
import { IdTokenHintVerifier } from './id-token-hint.verifier';
import { AuthorizationService, BrowserCookies } from './authorization.service';
import { LoginSession, LoginSessionService } from './login-session.service';
import { LoginTicketService } from './login-ticket.service';
import { FactorForm, SecondFactorService } from './second-factor.service';

const CLIENT_ID = '6b1d3f0e-2a4c-4e8f-9b7a-1c2d3e4f5a6b';
const CSRF = 'C'.repeat(43);
const NO_PARAMS = { values: {}, repeated: [] };
const client = { clientId: CLIENT_ID, metadata: { client_name: 'Payroll' } } as RegisteredClient;
const user = { id: '0b0e2c4e-1f5a-4c3b-9d8e-7f6a5b4c3d2e', username: 'alice' } as UserAccount;

function makeRequest(overrides: Partial<AuthorizationRequest> = {}): AuthorizationRequest {
  return {
    client,
    redirectUri: 'https://app.example.com/cb?tenant=a',
    redirectUriSent: true,
    state: 'st',
    responseMode: 'query',
    scope: ['openid'],
    nonce: null,
    requestedClaims: null,
    promptNone: false,
    promptLogin: false,
    maxAgeSeconds: null,
    uiLocales: 'sv',
    loginHint: 'alice@example.com',
    acrValues: null,
    codeChallenge: null,
    codeChallengeMethod: null,
    ...overrides,
  };
}

const FACTOR_FORM: FactorForm = {
  ticket: 'factor-ticket',
  clientName: 'Payroll',
  uiLocales: 'sv',
  stage: 'code',
  method: 'totp',
  alternatives: [],
  destination: null,
  enrolment: null,
  recoveryCodes: null,
  failed: false,
  passkeyOptions: null,
};

describe(AuthorizationService.name, () => {
  const clock = new FixedClock(new Date('2030-01-01T12:00:00Z'));
  const session: LoginSession = {
    idHash: Buffer.from('s'),
    sid: '5d3c1b2a-9e8f-4a7b-8c6d-5e4f3a2b1c0d',
    userId: user.id,
    authTime: new Date(clock.now().getTime() - 100_000),
    amr: ['pwd'],
  };
  const browser: BrowserCookies = {
    sessionToken: 'S'.repeat(43),
    csrfToken: CSRF,
    address: '192.0.2.7',
  };
  let validator: jest.Mocked<AuthorizationRequestValidator>;
  let sessions: jest.Mocked<LoginSessionService>;
  let tickets: jest.Mocked<LoginTicketService>;
  let codes: jest.Mocked<AuthorizationCodeService>;
  let passwords: jest.Mocked<PasswordLogin>;
  let secondFactors: jest.Mocked<SecondFactorService>;
  let userGroups: jest.Mocked<UserGroups>;
  let sut: AuthorizationService;

  beforeEach(() => {
    validator = mockOf<AuthorizationRequestValidator>();
    sessions = mockOf<LoginSessionService>();
    tickets = mockOf<LoginTicketService>();
    codes = mockOf<AuthorizationCodeService>();
    passwords = mockOf<PasswordLogin>();
    secondFactors = mockOf<SecondFactorService>();
    userGroups = mockOf<UserGroups>();
    userGroups.mayUse.mockResolvedValue(true);
    sut = new AuthorizationService(
      validator,
      sessions,
      tickets,
      codes,
      passwords,
      clock,
      userGroups,
      secondFactors,
      mockOf<IdTokenHintVerifier>(),
    );
    secondFactors.isRequired.mockResolvedValue(false);
    tickets.isCsrfToken.mockImplementation((value) => value === CSRF);
    tickets.seal.mockReturnValue('ticket');
    codes.issue.mockResolvedValue('the-code');
  });

  describe('authorize', () => {
    it('redirects a browser with a session straight to the client with a code, keeping the registered query', async () => {
      validator.validate.mockResolvedValue(makeRequest());
      sessions.find.mockResolvedValue(session);

      const outcome = await sut.authorize(NO_PARAMS, browser);

      expect(outcome).toEqual({
        kind: 'response',
        response: {
          redirectUri: 'https://app.example.com/cb?tenant=a',
          responseMode: 'query',
          params: { code: 'the-code', state: 'st' },
        },
        sessionToken: null,
      });
      expect(codes.issue).toHaveBeenCalledWith(makeRequest(), session);
    });

    it("shows the login form, bound to the browser's CSRF cookie, without a session", async () => {
      validator.validate.mockResolvedValue(makeRequest());
      sessions.find.mockResolvedValue(null);

      const outcome = await sut.authorize(NO_PARAMS, browser);

      expect(outcome).toEqual({
        kind: 'login',
        form: {
          ticket: 'ticket',
          clientName: 'Payroll',
          username: 'alice@example.com',
          uiLocales: 'sv',
          failed: false,
        },
        csrfToken: CSRF,
      });
      expect(tickets.seal).toHaveBeenCalledWith(makeRequest(), CSRF);
    });

    it('gives a browser without a CSRF cookie a new one', async () => {
      validator.validate.mockResolvedValue(makeRequest());
      sessions.find.mockResolvedValue(null);
      tickets.newCsrfToken.mockReturnValue('N'.repeat(43));

      const outcome = await sut.authorize(NO_PARAMS, {
        sessionToken: null,
        csrfToken: null,
        address: null,
      });

      expect(outcome).toMatchObject({ kind: 'login', csrfToken: 'N'.repeat(43) });
    });

    it.each([
      ['prompt=login', { promptLogin: true }],
      ['a sign-in older than max_age', { maxAgeSeconds: 99 }],
    ])('shows the form despite a session for %s', async (_case, overrides) => {
      validator.validate.mockResolvedValue(makeRequest(overrides));
      sessions.find.mockResolvedValue(session);

      expect((await sut.authorize(NO_PARAMS, browser)).kind).toBe('login');
    });

    it('asks a password-only session for the second factor when the request requires one', async () => {
      validator.validate.mockResolvedValue(makeRequest({ acrValues: 'urn:uas:acr:mfa' }));
      sessions.find.mockResolvedValue(session);
      secondFactors.isRequired.mockResolvedValue(true);
      secondFactors.findUser.mockResolvedValue(user);
      secondFactors.begin.mockResolvedValue(FACTOR_FORM);

      const outcome = await sut.authorize(NO_PARAMS, browser);

      expect(outcome).toMatchObject({ kind: 'factor', form: FACTOR_FORM });
      // The step-up names the session it adds to: the form is void once that session ends.
      expect(secondFactors.begin).toHaveBeenCalledWith(
        expect.anything(),
        user,
        ['pwd'],
        CSRF,
        null,
        session.sid,
      );
      expect(codes.issue).not.toHaveBeenCalled();
    });

    it('answers prompt=none from a password-only session with interaction_required when a factor is required', async () => {
      validator.validate.mockResolvedValue(makeRequest({ promptNone: true }));
      sessions.find.mockResolvedValue(session);
      secondFactors.isRequired.mockResolvedValue(true);

      const error = await caught(sut.authorize(NO_PARAMS, browser));

      expect(error.code).toBe('interaction_required');
      expect(error.options.redirect).toBeDefined();
    });

    it('passes a session that had a second factor without asking again', async () => {
      validator.validate.mockResolvedValue(makeRequest({ acrValues: 'urn:uas:acr:mfa' }));
      sessions.find.mockResolvedValue({ ...session, amr: ['pwd', 'otp', 'mfa'] });

      const outcome = await sut.authorize(NO_PARAMS, browser);

      expect(outcome.kind).toBe('response');
      expect(secondFactors.isRequired).not.toHaveBeenCalled();
    });

    it('passes a session exactly max_age old', async () => {
      validator.validate.mockResolvedValue(makeRequest({ maxAgeSeconds: 100 }));
      sessions.find.mockResolvedValue(session);

      expect((await sut.authorize(NO_PARAMS, browser)).kind).toBe('response');
    });

    it('answers prompt=none without a session with login_required, sent to the client in its response mode', async () => {
      validator.validate.mockResolvedValue(
        makeRequest({ promptNone: true, state: null, responseMode: 'form_post' }),
      );
      sessions.find.mockResolvedValue(null);

      const error = await caught(sut.authorize(NO_PARAMS, browser));

      expect(error.code).toBe('login_required');
      expect(error.options.redirect).toEqual({
        redirectUri: 'https://app.example.com/cb?tenant=a',
        state: null,
        responseMode: 'form_post',
      });
    });

    it('passes a validation error on as it is, with or without its redirect', async () => {
      const error = new OAuthError(
        'invalid_scope',
        'The requested scope is not allowed for this client.',
      );
      const redirected = error.redirectingTo({
        redirectUri: 'https://app.example.com/cb',
        state: 'a&b',
        responseMode: 'query',
      });
      validator.validate.mockRejectedValueOnce(redirected).mockRejectedValueOnce(error);

      expect(await caught(sut.authorize(NO_PARAMS, browser))).toBe(redirected);
      expect(await caught(sut.authorize(NO_PARAMS, browser))).toBe(error);
      expect(sessions.find).not.toHaveBeenCalled();
    });
  });

  describe('login', () => {
    it("starts a session, handing over the browser's old one, and redirects with a code", async () => {
      tickets.open.mockResolvedValue(makeRequest());
      passwords.authenticate.mockResolvedValue(user);
      sessions.start.mockResolvedValue({ token: 'new-session', session });

      const outcome = await sut.login(
        { login_ticket: 'ticket', username: 'alice', password: 'pw' },
        browser,
      );

      expect(tickets.open).toHaveBeenCalledWith('ticket', CSRF);
      expect(passwords.authenticate).toHaveBeenCalledWith('alice', 'pw', '192.0.2.7');
      expect(sessions.start).toHaveBeenCalledWith(user.id, ['pwd'], browser.sessionToken, {
        actor: null,
        ip: '192.0.2.7',
      });
      expect(outcome).toEqual({
        kind: 'response',
        response: {
          redirectUri: 'https://app.example.com/cb?tenant=a',
          responseMode: 'query',
          params: { code: 'the-code', state: 'st' },
        },
        sessionToken: 'new-session',
      });
    });

    it('shows the form again, failed, with the username typed', async () => {
      tickets.open.mockResolvedValue(makeRequest());
      passwords.authenticate.mockResolvedValue(null);

      const outcome = await sut.login(
        { login_ticket: 'ticket', username: 'alice', password: 'wrong' },
        browser,
      );

      expect(outcome).toMatchObject({ kind: 'login', form: { username: 'alice', failed: true } });
    });

    it('asks for the second factor, with no session yet, when one is required', async () => {
      tickets.open.mockResolvedValue(makeRequest());
      passwords.authenticate.mockResolvedValue(user);
      secondFactors.isRequired.mockResolvedValue(true);
      secondFactors.begin.mockResolvedValue(FACTOR_FORM);

      const outcome = await sut.login(
        { login_ticket: 'ticket', username: 'alice', password: 'pw' },
        browser,
      );

      expect(outcome).toEqual({
        kind: 'factor',
        form: FACTOR_FORM,
        csrfToken: CSRF,
        sessionToken: null,
      });
      expect(secondFactors.begin).toHaveBeenCalledWith(makeRequest(), user, ['pwd'], CSRF);
      expect(sessions.start).not.toHaveBeenCalled();
    });

    it('does not check a password that is missing', async () => {
      tickets.open.mockResolvedValue(makeRequest());

      expect(await sut.login({ login_ticket: 'ticket', username: 'alice' }, browser)).toMatchObject(
        { kind: 'login', form: { failed: true } },
      );
    });

    it.each([
      ['a ticket that does not open', { login_ticket: 'ticket' }],
      ['no ticket', {}],
    ])('answers invalid_request, shown to the user, for %s', async (_case, form) => {
      tickets.open.mockResolvedValue(null);

      const error = await caught(
        sut.login({ ...form, username: 'alice', password: 'pw' }, browser),
      );

      expect(error.code).toBe('invalid_request');
      expect(error.options.redirect).toBeUndefined();
      expect(passwords.authenticate).not.toHaveBeenCalled();
    });
  });
});
