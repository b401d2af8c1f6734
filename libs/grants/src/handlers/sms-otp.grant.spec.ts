import { SubjectRegistry } from '@app/accounts';
import { GrantType } from '@app/clients';
import { FixedClock } from '@app/config';
import { OAuthError } from '@app/errors';
import { OtpChallengeService, OtpChannel } from '@app/otp';
import { TokenResponse, TokenService } from '@app/tokens';

import { caught, mockOf } from '../../../../test/mocks';
import { registeredClient } from '../../../../test/factories/registered-client.factory';
import { SmsOtpGrant } from './sms-otp.grant';

const client = registeredClient([GrantType.SmsOtp]);
const tokenResponse: TokenResponse = {
  access_token: 'at',
  token_type: 'Bearer',
  expires_in: 3600,
  scope: 'openid',
};

describe(SmsOtpGrant.name, () => {
  const clock = new FixedClock(new Date('2030-01-01T12:00:00Z'));
  let otp: jest.Mocked<OtpChallengeService>;
  let tokens: jest.Mocked<TokenService>;
  let subjects: jest.Mocked<SubjectRegistry>;
  let sut: SmsOtpGrant;

  beforeEach(() => {
    otp = mockOf<OtpChallengeService>();
    tokens = mockOf<TokenService>();
    subjects = mockOf<SubjectRegistry>();
    subjects.subjectFor.mockImplementation(async (_source, externalId) => externalId);
    sut = new SmsOtpGrant(otp, tokens, clock, subjects);
  });

  it('initiates without a reference and answers the challenge reference', async () => {
    otp.initiate.mockResolvedValue({ reference: 'ref-1' });

    const result = await sut.handle({
      client,
      params: {
        scope: 'openid',
        username: '+358 40 123 4567',
        x_globalsign_iam_otp_body: 'Code {0}',
        ui_locales: 'fi',
      },
    });

    expect(result).toEqual({ x_globalsign_iam_challenge: { reference: 'ref-1' } });
    expect(otp.initiate).toHaveBeenCalledWith({
      channel: OtpChannel.Sms,
      clientId: client.clientId,
      grantType: GrantType.SmsOtp,
      username: '+358 40 123 4567',
      body: 'Code {0}',
      uiLocales: 'fi',
    });
  });

  it('validates with a reference and issues tokens for the MSISDN as sent', async () => {
    otp.validate.mockResolvedValue({ username: '+358401234567' });
    tokens.issue.mockResolvedValue(tokenResponse);

    const result = await sut.handle({
      client,
      params: {
        scope: 'openid',
        x_globalsign_iam_reference_id: 'ref-1',
        x_globalsign_iam_otp_code: '12345678',
      },
    });

    expect(result).toBe(tokenResponse);
    expect(otp.validate).toHaveBeenCalledWith({
      channel: OtpChannel.Sms,
      clientId: client.clientId,
      grantType: GrantType.SmsOtp,
      reference: 'ref-1',
      code: '12345678',
      username: undefined,
    });
    expect(tokens.issue).toHaveBeenCalledWith({
      client,
      subject: '+358401234567',
      userId: null,
      scope: ['openid'],
      authTime: clock.now(),
      amr: ['otp', 'sms'],
      claims: { phone_number: '+358401234567', phone_number_verified: true },
    });
    expect(subjects.subjectFor).toHaveBeenCalledWith('otp:sms', '+358401234567');
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
      const params: Record<string, string> = { username: '358401234567' };
      if (scope) params.scope = scope;

      const error = await caught(sut.handle({ client, params }));

      expect(error.code).toBe('invalid_scope');
      expect(otp.initiate).not.toHaveBeenCalled();
    },
  );

  it('refuses a scope the client may not have', async () => {
    const limited = { ...client, metadata: { ...client.metadata, scope: 'userinfo' } };

    const error = await caught(
      sut.handle({ client: limited, params: { scope: 'openid', username: '358401234567' } }),
    );

    expect(error.code).toBe('invalid_scope');
  });
});
