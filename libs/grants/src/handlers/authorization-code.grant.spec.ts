import { AuthorizationCodeService, RedeemedAuthorizationCode } from '@app/authorization';
import { GrantType } from '@app/clients';
import { TokenResponse, TokenService } from '@app/tokens';

import { caught, mockOf } from '../../../../test/mocks';
import { registeredClient } from '../../../../test/factories/registered-client.factory';
import { AuthorizationCodeGrant } from './authorization-code.grant';

const client = registeredClient([GrantType.AuthorizationCode], {
  redirect_uris: ['https://app.example.com/cb'],
  response_types: ['code'],
});
const tokenResponse: TokenResponse = {
  access_token: 'at',
  token_type: 'Bearer',
  expires_in: 3600,
  scope: 'openid',
};
// RFC 7636 Appendix B.
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

function redeemed(overrides: Partial<RedeemedAuthorizationCode> = {}): RedeemedAuthorizationCode {
  return {
    grantId: 'f7e6d5c4-b3a2-4190-8f7e-6d5c4b3a2190',
    userId: '0b0e2c4e-1f5a-4c3b-9d8e-7f6a5b4c3d2e',
    redirectUri: 'https://app.example.com/cb',
    redirectUriSent: true,
    scope: ['openid'],
    nonce: 'n',
    codeChallenge: null,
    codeChallengeMethod: null,
    authTime: new Date('2030-01-01T11:00:00Z'),
    sessionId: '5d3c1b2a-9e8f-4a7b-8c6d-5e4f3a2b1c0d',
    amr: ['pwd'],
    requestedClaims: null,
    ...overrides,
  };
}

describe(AuthorizationCodeGrant.name, () => {
  let codes: jest.Mocked<AuthorizationCodeService>;
  let tokens: jest.Mocked<TokenService>;
  let sut: AuthorizationCodeGrant;

  beforeEach(() => {
    codes = mockOf<AuthorizationCodeService>();
    tokens = mockOf<TokenService>();
    sut = new AuthorizationCodeGrant(codes, tokens);
    tokens.issue.mockResolvedValue(tokenResponse);
  });

  /** The code service hands `code` to the grant's checks, like AuthorizationCodeService.redeem. */
  function codeIs(code: RedeemedAuthorizationCode): void {
    codes.redeem.mockImplementation(async (_value, _client, _address, issueTokens) =>
      issueTokens(code),
    );
  }

  it("issues tokens for the code's user, scope, nonce, auth_time and amr, in the grant the code names", async () => {
    codeIs(redeemed());

    const result = await sut.handle({
      client,
      params: { code: 'c', redirect_uri: 'https://app.example.com/cb' },
      clientAddress: '192.0.2.7',
    });

    expect(result).toBe(tokenResponse);
    expect(codes.redeem).toHaveBeenCalledWith('c', client, '192.0.2.7', expect.any(Function));
    expect(tokens.issue).toHaveBeenCalledWith({
      client,
      grantId: redeemed().grantId,
      subject: redeemed().userId,
      userId: redeemed().userId,
      scope: ['openid'],
      authTime: redeemed().authTime,
      amr: ['pwd'],
      nonce: 'n',
      requestedClaims: null,
      sessionId: redeemed().sessionId,
    });
  });

  it('requires code', async () => {
    expect((await caught(sut.handle({ client, params: {} }))).code).toBe('invalid_request');
  });

  it.each([
    ['a different redirect_uri', redeemed(), { redirect_uri: 'https://app.example.com/other' }],
    ['no redirect_uri when the request had one', redeemed(), {}],
    [
      'a different redirect_uri when the request had none',
      redeemed({ redirectUriSent: false }),
      { redirect_uri: 'https://app.example.com/other' },
    ],
    [
      'a verifier without a challenge',
      redeemed(),
      { redirect_uri: 'https://app.example.com/cb', code_verifier: VERIFIER },
    ],
    [
      'a challenge without a verifier',
      redeemed({ codeChallenge: CHALLENGE, codeChallengeMethod: 'S256' }),
      { redirect_uri: 'https://app.example.com/cb' },
    ],
    [
      'a wrong S256 verifier',
      redeemed({ codeChallenge: CHALLENGE, codeChallengeMethod: 'S256' }),
      { redirect_uri: 'https://app.example.com/cb', code_verifier: `${VERIFIER.slice(0, -1)}Y` },
    ],
    [
      'the challenge as a plain verifier of an S256 code',
      redeemed({ codeChallenge: CHALLENGE, codeChallengeMethod: 'S256' }),
      { redirect_uri: 'https://app.example.com/cb', code_verifier: CHALLENGE },
    ],
  ])('refuses %s with invalid_grant and issues nothing', async (_case, code, params) => {
    codeIs(code);

    const error = await caught(sut.handle({ client, params: { code: 'c', ...params } }));

    expect(error.code).toBe('invalid_grant');
    expect(tokens.issue).not.toHaveBeenCalled();
  });

  it.each([
    ['S256', { codeChallenge: CHALLENGE, codeChallengeMethod: 'S256' as const }, VERIFIER],
    ['plain', { codeChallenge: VERIFIER, codeChallengeMethod: 'plain' as const }, VERIFIER],
  ])('accepts the right %s verifier', async (_method, challenge, verifier) => {
    codeIs(redeemed(challenge));

    expect(
      await sut.handle({
        client,
        params: { code: 'c', redirect_uri: 'https://app.example.com/cb', code_verifier: verifier },
      }),
    ).toBe(tokenResponse);
  });

  it('accepts no redirect_uri when the request had none', async () => {
    codeIs(redeemed({ redirectUriSent: false }));

    expect(await sut.handle({ client, params: { code: 'c' } })).toBe(tokenResponse);
  });
});
