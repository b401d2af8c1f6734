import { Injectable } from '@nestjs/common';

import { SubjectRegistry } from '@app/accounts';
import { GrantType } from '@app/clients';
import { Clock } from '@app/config';
import { OtpChallengeService, OtpChannel } from '@app/otp';
import { TokenService } from '@app/tokens';

import { TokenParams } from '../grant-handler';
import { OtpGrant } from './otp.grant';

/** Ubisecure SMTP-OTP: the OTP goes by e-mail to the address in `username`. */
@Injectable()
export class SmtpOtpGrant extends OtpGrant {
  readonly grantType = GrantType.SmtpOtp;
  readonly parameters = [
    'scope',
    'username',
    'x_globalsign_iam_otp_title',
    'x_globalsign_iam_otp_body',
    'ui_locales',
    'x_globalsign_iam_reference_id',
    'x_globalsign_iam_otp_code',
  ] as const;
  protected readonly channel = OtpChannel.Email;
  // RFC 8176 registers "sms" but no value for e-mail.
  protected readonly amr = ['otp'];

  constructor(
    otp: OtpChallengeService,
    tokens: TokenService,
    clock: Clock,
    subjects: SubjectRegistry,
  ) {
    super(otp, tokens, clock, subjects);
  }

  protected verifiedClaims(email: string): Record<string, unknown> {
    return { email, email_verified: true };
  }

  protected texts(params: TokenParams): { title?: string; body?: string } {
    return { title: params.x_globalsign_iam_otp_title, body: params.x_globalsign_iam_otp_body };
  }
}
