import { SubjectRegistry } from '@app/accounts';
import { GrantType } from '@app/clients';
import { FixedClock } from '@app/config';
import { OAuthError } from '@app/errors';
import { SamlAssertionVerifier, VerifiedAssertion } from '@app/saml';
import { TokenResponse, TokenService } from '@app/tokens';

import { caught, mockOf } from '../../../../test/mocks';
import { registeredClient } from '../../../../test/factories/registered-client.factory';
import { Saml2BearerGrant } from './saml2-bearer.grant';

const client = registeredClient(
  [GrantType.Saml2Bearer],
  {},
  '0d4c2b1a-9e8f-4a7b-8c6d-5e4f3a2b1c0d',
);
const tokenResponse: TokenResponse = {
  access_token: 'at',
  token_type: 'Bearer',
  expires_in: 3600,
  scope: 'openid',
};
const verified: VerifiedAssertion = {
  subject: 'alice@example.com',
  issuer: 'urn:uuid:6f1b7a4e-2d5c-4c1e-9b0a-3f9e8d7c6b5a',
  assertionId: '_a1',
  notOnOrAfter: new Date('2030-01-01T12:05:00Z'),
  attributes: {},
};

describe(Saml2BearerGrant.name, () => {
  const clock = new FixedClock(new Date('2030-01-01T12:00:00Z'));
  let assertions: jest.Mocked<SamlAssertionVerifier>;
  let tokens: jest.Mocked<TokenService>;
  let subjects: jest.Mocked<SubjectRegistry>;
  let sut: Saml2BearerGrant;

  beforeEach(() => {
    assertions = mockOf<SamlAssertionVerifier>();
    tokens = mockOf<TokenService>();
    subjects = mockOf<SubjectRegistry>();
    subjects.subjectFor.mockImplementation(async (_source, externalId) => externalId);
    sut = new Saml2BearerGrant(assertions, tokens, clock, subjects);
  });

  it('asks the subject registry for the sub of the NameID under its issuer', async () => {
    assertions.verify.mockResolvedValue(verified);
    subjects.subjectFor.mockResolvedValue('Yx3pQe0Zr7uVb2Nw9LkT5cHs1dFg8aJm4oRi6tEyWqU');
    tokens.issue.mockResolvedValue(tokenResponse);

    await sut.handle({ client, params: { assertion: 'PHNhbWw+' } });

    expect(subjects.subjectFor).toHaveBeenCalledWith(
      `saml:${verified.issuer}`,
      'alice@example.com',
    );
    expect(tokens.issue).toHaveBeenCalledWith(
      expect.objectContaining({ subject: 'Yx3pQe0Zr7uVb2Nw9LkT5cHs1dFg8aJm4oRi6tEyWqU' }),
    );
  });

  it('reads only assertion and scope', () => {
    expect(sut.grantType).toBe('urn:ietf:params:oauth:grant-type:saml2-bearer');
    expect(sut.parameters).toEqual(['assertion', 'scope']);
  });

  it('issues tokens for the NameID with the AuthnInstant as auth time and amr saml', async () => {
    const authnInstant = new Date('2030-01-01T11:59:00Z');
    assertions.verify.mockResolvedValue({ ...verified, authnInstant });
    tokens.issue.mockResolvedValue(tokenResponse);

    const result = await sut.handle({ client, params: { assertion: 'PHNhbWw+', scope: 'openid' } });

    expect(result).toBe(tokenResponse);
    expect(assertions.verify).toHaveBeenCalledWith('PHNhbWw+');
    expect(tokens.issue).toHaveBeenCalledWith({
      client,
      subject: 'alice@example.com',
      userId: null,
      scope: ['openid'],
      authTime: authnInstant,
      amr: ['saml'],
      claims: {},
    });
  });

  it('uses now as the auth time when the assertion has no AuthnStatement', async () => {
    assertions.verify.mockResolvedValue(verified);
    tokens.issue.mockResolvedValue(tokenResponse);

    await sut.handle({ client, params: { assertion: 'x' } });

    expect(tokens.issue).toHaveBeenCalledWith(
      expect.objectContaining({ authTime: clock.now(), scope: [] }),
    );
  });

  it('releases attributes as claims, but never one named like a protocol claim', async () => {
    assertions.verify.mockResolvedValue({
      ...verified,
      attributes: {
        email: ['alice@example.com'],
        groups: ['staff', 'admins'],
        sub: ['root'],
        iss: ['x'],
        amr: ['pwd'],
      },
    });
    tokens.issue.mockResolvedValue(tokenResponse);

    await sut.handle({ client, params: { assertion: 'x' } });

    expect(tokens.issue.mock.calls[0][0].claims).toEqual({
      email: ['alice@example.com'],
      groups: ['staff', 'admins'],
    });
  });

  it('answers invalid_request without an assertion, verifying nothing', async () => {
    const error = await caught(sut.handle({ client, params: { scope: 'openid' } }));

    expect(error.code).toBe('invalid_request');
  });

  it('leaves out a scope value the server does not know (OpenID Connect Core §3.1.2.1)', async () => {
    assertions.verify.mockResolvedValue(verified);
    tokens.issue.mockResolvedValue(tokenResponse);

    await sut.handle({ client, params: { assertion: 'x', scope: 'openid admin' } });

    expect(tokens.issue).toHaveBeenCalledWith(expect.objectContaining({ scope: ['openid'] }));
  });

  it("passes the verifier's invalid_grant on and issues nothing", async () => {
    assertions.verify.mockRejectedValue(
      new OAuthError('invalid_grant', 'The assertion is not valid.'),
    );

    const error = await caught(sut.handle({ client, params: { assertion: 'x' } }));

    expect(error.code).toBe('invalid_grant');
  });
});
