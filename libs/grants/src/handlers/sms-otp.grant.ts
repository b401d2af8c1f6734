import { Injectable } from '@nestjs/common';

import { SubjectRegistry } from '@app/accounts';
import { GrantType } from '@app/clients';
import { Clock } from '@app/config';
import { OtpChallengeService, OtpChannel } from '@app/otp';
import { TokenService } from '@app/tokens';

import { TokenParams } from '../grant-handler';
import { OtpGrant } from './otp.grant';

/** Ubisecure SMS-MT-OTP: the OTP goes by text message to the MSISDN in `username`. */
@Injectable()
export class SmsOtpGrant extends OtpGrant {
  readonly grantType = GrantType.SmsOtp;
  readonly parameters = [
    'scope',
    'username',
    'x_globalsign_iam_otp_body',
    'ui_locales',
    'x_globalsign_iam_reference_id',
    'x_globalsign_iam_otp_code',
  ] as const;
  protected readonly channel = OtpChannel.Sms;
  protected readonly amr = ['otp', 'sms'];

  constructor(
    otp: OtpChallengeService,
    tokens: TokenService,
    clock: Clock,
    subjects: SubjectRegistry,
  ) {
    super(otp, tokens, clock, subjects);
  }

  protected verifiedClaims(msisdn: string): Record<string, unknown> {
    return { phone_number: msisdn, phone_number_verified: true };
  }

  protected texts(params: TokenParams): { body?: string } {
    return { body: params.x_globalsign_iam_otp_body };
  }
}
