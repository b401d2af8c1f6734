import { Module } from '@nestjs/common';

import { AccountsModule } from '@app/accounts';
import { ClientsModule } from '@app/clients';
import { CryptoModule } from '@app/crypto';
import { KeysModule } from '@app/keys';
import { PersistenceModule } from '@app/persistence';

import { AuthorizationRequestValidator } from './authorization-request.validator';
import { AuthorizationCodeService } from './authorization-code.service';
import { AuthorizationService } from './authorization.service';
import { LoginSessionService } from './login-session.service';
import { LoginTicketService } from './login-ticket.service';
import { RequestObjectVerifier } from './request-object.verifier';

/** The authorization endpoint's logic: request validation, request objects, login sessions, codes. */
@Module({
  imports: [PersistenceModule, CryptoModule, KeysModule, ClientsModule, AccountsModule],
  providers: [
    AuthorizationRequestValidator,
    RequestObjectVerifier,
    LoginSessionService,
    LoginTicketService,
    AuthorizationCodeService,
    AuthorizationService,
  ],
  exports: [AuthorizationService, AuthorizationCodeService],
})
export class AuthorizationModule {}
