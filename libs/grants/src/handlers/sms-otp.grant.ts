import { Injectable } from '@nestjs/common';

import { resolveScope } from '@app/clients';
import { Clock } from '@app/config';
import { OAuthError } from '@app/errors';
import { OtpChallengeService, OtpChannel } from '@app/otp';
import { TokenService } from '@app/tokens';

import { GrantHandler, TokenEndpointResult, TokenRequest } from '../grant-handler';
import { GrantType } from '../grant-type';

/**
 * Ubisecure SMS-MT-OTP (CONTRACT "One-time password grants"): without a reference it texts an
 * OTP to the MSISDN in `username` and answers the challenge reference; with one it checks
 * the OTP and issues tokens whose `sub` is the normalised MSISDN.
 */
@Injectable()
export class SmsOtpGrant implements GrantHandler {
  readonly grantType = GrantType.SmsOtp;
  readonly parameters = [
    'scope', 'username', 'x_globalsign_iam_otp_body', 'ui_locales',
    'x_globalsign_iam_reference_id', 'x_globalsign_iam_otp_code',
  ] as const;

  constructor(
    private readonly otp: OtpChallengeService,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
  ) {}

  /** Offered only with SMS_GATEWAY_URL, or in embedded development mode. */
  isEnabled(): boolean {
    return this.otp.isAvailable(OtpChannel.Sms);
  }

  async handle({ client, params }: TokenRequest): Promise<TokenEndpointResult> {
    const scope = resolveScope(params.scope, client);
    if (!scope.includes('openid')) throw new OAuthError('invalid_scope', 'The scope must include openid.');
    const target = { channel: OtpChannel.Sms, clientId: client.clientId, grantType: this.grantType };
    const reference = params.x_globalsign_iam_reference_id;
    if (reference === undefined) {
      const challenge = await this.otp.initiate({
        ...target, username: params.username, body: params.x_globalsign_iam_otp_body, uiLocales: params.ui_locales,
      });
      return { x_globalsign_iam_challenge: { reference: challenge.reference } };
    }
    const { username } = await this.otp.validate({
      ...target, reference, code: params.x_globalsign_iam_otp_code, username: params.username,
    });
    return this.tokens.issue({
      client,
      grantType: this.grantType,
      subject: username,
      userId: null,
      scope,
      authTime: this.clock.now(),
      amr: ['otp', 'sms'], // RFC 8176
      claims: { phone_number: username, phone_number_verified: true },
    });
  }
}
