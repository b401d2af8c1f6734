import { Module } from '@nestjs/common';

import { AccountsModule } from '@app/accounts';
import { ClientsModule } from '@app/clients';
import { CryptoModule } from '@app/crypto';
import { FactorsModule } from '@app/factors';
import { KeysModule } from '@app/keys';
import { OtpModule } from '@app/otp';
import { PersistenceModule } from '@app/persistence';

import { AuthorizationRequestValidator } from './authorization-request.validator';
import { AuthorizationCodeService } from './authorization-code.service';
import { AuthorizationService } from './authorization.service';
import { IdTokenHintVerifier } from './id-token-hint.verifier';
import { LoginSessionService } from './login-session.service';
import { LogoutService } from './logout.service';
import { LoginTicketService } from './login-ticket.service';
import { RequestObjectVerifier } from './request-object.verifier';
import { PasskeyRegistrationService } from './passkey-registration.service';
import { SecondFactorService } from './second-factor.service';

/** The authorization endpoint's logic: request validation, request objects, login sessions, codes. */
@Module({
  imports: [
    PersistenceModule,
    CryptoModule,
    KeysModule,
    ClientsModule,
    AccountsModule,
    FactorsModule,
    OtpModule,
  ],
  providers: [
    AuthorizationRequestValidator,
    RequestObjectVerifier,
    LoginSessionService,
    LoginTicketService,
    AuthorizationCodeService,
    AuthorizationService,
    IdTokenHintVerifier,
    LogoutService,
    SecondFactorService,
    PasskeyRegistrationService,
  ],
  exports: [
    PasskeyRegistrationService,
    AuthorizationService,
    AuthorizationCodeService,
    LoginSessionService,
    LogoutService,
  ],
})
export class AuthorizationModule {}
