import { Module } from '@nestjs/common';

import { CryptoModule } from '@app/crypto';
import { PersistenceModule } from '@app/persistence';

import { DevelopmentOtpSender } from './development-otp.sender';
import { OtpChallengeService } from './otp-challenge.service';
import { SmsOtpSender } from './sms-otp.sender';
import { SmtpOtpSender } from './smtp-otp.sender';

/** OTP challenges and their senders (SMS gateway, SMTP, development log). */
@Module({
  imports: [CryptoModule, PersistenceModule],
  providers: [OtpChallengeService, SmsOtpSender, SmtpOtpSender, DevelopmentOtpSender],
  exports: [OtpChallengeService],
})
export class OtpModule {}
