import { ClientRegistry } from '@app/clients';
import { FixedClock } from '@app/config';
import { generateMasterKey, MasterKeyCipher } from '@app/crypto';

import { mockOf } from '../../../test/mocks';
import { registeredClient } from '../../../test/factories/registered-client.factory';
import { AuthorizationRequest } from './authorization-request';
import { LOGIN_FORM_TTL_SECONDS, LoginTicketService } from './login-ticket.service';

const client = registeredClient(['authorization_code'], {
  redirect_uris: ['https://app.example.com/cb'],
  response_types: ['code'],
});

const request: AuthorizationRequest = {
  client,
  redirectUri: 'https://app.example.com/cb',
  redirectUriSent: true,
  state: 'st',
  responseMode: 'form_post',
  scope: ['openid'],
  nonce: 'n',
  promptNone: false,
  promptLogin: true,
  maxAgeSeconds: 60,
  uiLocales: 'fi',
  loginHint: null,
  acrValues: null,
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  codeChallengeMethod: 'S256',
  requestedClaims: null,
};

describe(LoginTicketService.name, () => {
  let clock: FixedClock;
  let clients: jest.Mocked<ClientRegistry>;
  let sut: LoginTicketService;
  let csrf: string;

  beforeEach(() => {
    clock = new FixedClock(new Date('2030-01-01T12:00:00Z'));
    clients = mockOf<ClientRegistry>();
    clients.findById.mockResolvedValue(client);
    sut = new LoginTicketService(new MasterKeyCipher(generateMasterKey()), clients, clock);
    csrf = sut.newCsrfToken();
  });

  it('gives back the sealed request to the browser that holds the CSRF cookie', async () => {
    const ticket = sut.seal(request, csrf);

    expect(await sut.open(ticket, csrf)).toEqual(request);
    expect(ticket).not.toContain('https://app.example.com');
  });

  it('opens a ticket sealed before response modes existed as a query-mode request', async () => {
    const { responseMode: _absent, ...older } = request;
    const ticket = sut.seal(older as AuthorizationRequest, csrf);

    expect(await sut.open(ticket, csrf)).toEqual({ ...request, responseMode: 'query' });
  });

  it('refuses the ticket with another CSRF cookie, or none', async () => {
    const ticket = sut.seal(request, csrf);

    expect(await sut.open(ticket, sut.newCsrfToken())).toBeNull();
    expect(await sut.open(ticket, null)).toBeNull();
  });

  it('refuses a ticket after its lifetime', async () => {
    const ticket = sut.seal(request, csrf);
    clock.advance(LOGIN_FORM_TTL_SECONDS);

    expect(await sut.open(ticket, csrf)).toBeNull();
  });

  it('refuses a forged ticket, and one sealed under another MASTER_KEY', async () => {
    const elsewhere = new LoginTicketService(
      new MasterKeyCipher(generateMasterKey()),
      clients,
      clock,
    );

    expect(await sut.open('v1.forged', csrf)).toBeNull();
    expect(await sut.open(elsewhere.seal(request, csrf), csrf)).toBeNull();
  });

  it('refuses a ticket whose client is gone or no longer has the redirect URI', async () => {
    const ticket = sut.seal(request, csrf);
    clients.findById.mockResolvedValueOnce(null);
    clients.findById.mockResolvedValueOnce({
      ...client,
      metadata: { ...client.metadata, redirect_uris: ['https://app.example.com/new'] },
    });

    expect(await sut.open(ticket, csrf)).toBeNull();
    expect(await sut.open(ticket, csrf)).toBeNull();
  });

  it.each([null, 'short', 'A'.repeat(43)])(
    'knows a CSRF cookie value by its shape: %p',
    (value) => {
      expect(sut.isCsrfToken(value)).toBe(value === 'A'.repeat(43));
    },
  );
});
