import { SubjectRegistry } from '@app/accounts';
import { GrantType } from '@app/clients';
import { FixedClock } from '@app/config';
import { OAuthError } from '@app/errors';
import { OtpChallengeService, OtpChannel } from '@app/otp';
import { TokenResponse, TokenService } from '@app/tokens';

import { caught, mockOf } from '../../../../test/mocks';
import { registeredClient } from '../../../../test/factories/registered-client.factory';
import { SmtpOtpGrant } from './smtp-otp.grant';

const client = registeredClient([GrantType.SmtpOtp]);
const tokenResponse: TokenResponse = {
  access_token: 'at',
  token_type: 'Bearer',
  expires_in: 3600,
  scope: 'openid',
};

describe(SmtpOtpGrant.name, () => {
  const clock = new FixedClock(new Date('2030-01-01T12:00:00Z'));
  let otp: jest.Mocked<OtpChallengeService>;
  let tokens: jest.Mocked<TokenService>;
  let subjects: jest.Mocked<SubjectRegistry>;
  let sut: SmtpOtpGrant;

  beforeEach(() => {
    otp = mockOf<OtpChallengeService>();
    tokens = mockOf<TokenService>();
    subjects = mockOf<SubjectRegistry>();
    subjects.subjectFor.mockImplementation(async (_source, externalId) => externalId);
    sut = new SmtpOtpGrant(otp, tokens, clock, subjects);
  });

  it('initiates without a reference and answers the challenge reference', async () => {
    otp.initiate.mockResolvedValue({ reference: 'ref-1' });

    const result = await sut.handle({
      client,
      params: {
        scope: 'openid',
        username: 'Alice@Example.com',
        x_globalsign_iam_otp_title: 'Sign in',
        x_globalsign_iam_otp_body: 'Code {0}',
        ui_locales: 'fi',
      },
    });

    expect(result).toEqual({ x_globalsign_iam_challenge: { reference: 'ref-1' } });
    expect(otp.initiate).toHaveBeenCalledWith({
      channel: OtpChannel.Email,
      clientId: client.clientId,
      grantType: GrantType.SmtpOtp,
      username: 'Alice@Example.com',
      title: 'Sign in',
      body: 'Code {0}',
      uiLocales: 'fi',
    });
  });

  it('validates with a reference and issues tokens for the address', async () => {
    otp.validate.mockResolvedValue({ username: 'alice@example.com' });
    tokens.issue.mockResolvedValue(tokenResponse);

    const result = await sut.handle({
      client,
      params: {
        scope: 'openid',
        username: 'alice@example.com',
        x_globalsign_iam_reference_id: 'ref-1',
        x_globalsign_iam_otp_code: '12345678',
      },
    });

    expect(result).toBe(tokenResponse);
    expect(otp.validate).toHaveBeenCalledWith({
      channel: OtpChannel.Email,
      clientId: client.clientId,
      grantType: GrantType.SmtpOtp,
      reference: 'ref-1',
      code: '12345678',
      username: 'alice@example.com',
    });
    expect(tokens.issue).toHaveBeenCalledWith({
      client,
      subject: 'alice@example.com',
      userId: null,
      scope: ['openid'],
      authTime: clock.now(),
      amr: ['otp'],
      claims: { email: 'alice@example.com', email_verified: true },
    });
    expect(subjects.subjectFor).toHaveBeenCalledWith('otp:email', 'alice@example.com');
  });

  it('issues the sub the subject registry gives when another source holds the address', async () => {
    otp.validate.mockResolvedValue({ username: 'alice@example.com' });
    subjects.subjectFor.mockResolvedValue('k3Vq0dJ6m1Yb8wLr2Tz9xNcP4sHf7aEu5gBi0oQyRjM');
    tokens.issue.mockResolvedValue(tokenResponse);

    await sut.handle({
      client,
      params: {
        scope: 'openid',
        x_globalsign_iam_reference_id: 'r',
        x_globalsign_iam_otp_code: '1',
      },
    });

    expect(tokens.issue).toHaveBeenCalledWith(
      expect.objectContaining({
        subject: 'k3Vq0dJ6m1Yb8wLr2Tz9xNcP4sHf7aEu5gBi0oQyRjM',
        claims: { email: 'alice@example.com', email_verified: true },
      }),
    );
  });

  it('issues nothing when validation fails', async () => {
    otp.validate.mockRejectedValue(
      new OAuthError('invalid_grant', 'The one-time password or its reference is invalid.'),
    );

    const error = await caught(
      sut.handle({
        client,
        params: {
          scope: 'openid',
          x_globalsign_iam_reference_id: 'r',
          x_globalsign_iam_otp_code: '1',
        },
      }),
    );

    expect(error.code).toBe('invalid_grant');
    expect(tokens.issue).not.toHaveBeenCalled();
  });

  it.each([undefined, 'userinfo'])(
    'requires openid in scope (%p) before sending anything',
    async (scope) => {
      const params: Record<string, string> = { username: 'alice@example.com' };
      if (scope) params.scope = scope;

      const error = await caught(sut.handle({ client, params }));

      expect(error.code).toBe('invalid_scope');
      expect(otp.initiate).not.toHaveBeenCalled();
    },
  );

  it('refuses a scope the client may not have', async () => {
    const limited = { ...client, metadata: { ...client.metadata, scope: 'userinfo' } };

    const error = await caught(
      sut.handle({ client: limited, params: { scope: 'openid', username: 'alice@example.com' } }),
    );

    expect(error.code).toBe('invalid_scope');
  });
});
