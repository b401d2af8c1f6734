import { Injectable } from '@nestjs/common';

import { resolveScope } from '@app/clients';
import { Clock } from '@app/config';
import { OAuthError } from '@app/errors';
import { OtpChallengeService, OtpChannel } from '@app/otp';
import { TokenService } from '@app/tokens';

import { GrantHandler, TokenEndpointResult, TokenRequest } from '../grant-handler';
import { GrantType } from '../grant-type';

/**
 * Ubisecure SMTP-OTP (CONTRACT "One-time password grants"): without a reference it mails an
 * OTP to the address in `username` and answers the challenge reference; with one it checks
 * the OTP and issues tokens whose `sub` is the normalised e-mail address.
 */
@Injectable()
export class SmtpOtpGrant implements GrantHandler {
  readonly grantType = GrantType.SmtpOtp;
  readonly parameters = [
    'scope', 'username', 'x_globalsign_iam_otp_title', 'x_globalsign_iam_otp_body', 'ui_locales',
    'x_globalsign_iam_reference_id', 'x_globalsign_iam_otp_code',
  ] as const;

  constructor(
    private readonly otp: OtpChallengeService,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
  ) {}

  /** Offered only with SMTP_URL, or in embedded development mode. */
  isEnabled(): boolean {
    return this.otp.isAvailable(OtpChannel.Email);
  }

  async handle({ client, params }: TokenRequest): Promise<TokenEndpointResult> {
    const scope = resolveScope(params.scope, client);
    if (!scope.includes('openid')) throw new OAuthError('invalid_scope', 'The scope must include openid.');
    const target = { channel: OtpChannel.Email, clientId: client.clientId, grantType: this.grantType };
    const reference = params.x_globalsign_iam_reference_id;
    if (reference === undefined) {
      const challenge = await this.otp.initiate({
        ...target,
        username: params.username,
        title: params.x_globalsign_iam_otp_title,
        body: params.x_globalsign_iam_otp_body,
        uiLocales: params.ui_locales,
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
      amr: ['otp'], // RFC 8176 registers "sms" but no value for e-mail
      claims: { email: username, email_verified: true },
    });
  }
}
