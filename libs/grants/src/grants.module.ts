import { Module } from '@nestjs/common';

import { AccountsModule } from '@app/accounts';
import { AuthorizationModule } from '@app/authorization';
import { FactorsModule } from '@app/factors';
import { Metrics, ObservabilityModule } from '@app/observability';
import { OtpModule } from '@app/otp';
import { AuditLog, PersistenceModule } from '@app/persistence';
import { SamlModule } from '@app/saml';
import { TokensModule } from '@app/tokens';

import { GrantHandler } from './grant-handler';
import { GrantRegistry } from './grant-registry';
import { AuthorizationCodeGrant } from './handlers/authorization-code.grant';
import { ClientCredentialsGrant } from './handlers/client-credentials.grant';
import { PasswordGrant } from './handlers/password.grant';
import { RefreshTokenGrant } from './handlers/refresh-token.grant';
import { Saml2BearerGrant } from './handlers/saml2-bearer.grant';
import { SmsOtpGrant } from './handlers/sms-otp.grant';
import { SmtpOtpGrant } from './handlers/smtp-otp.grant';

/** One line per grant: adding a grant is a handler file and a line here. */
const GRANT_HANDLERS: (new (...args: never[]) => GrantHandler)[] = [
  AuthorizationCodeGrant,
  PasswordGrant,
  ClientCredentialsGrant,
  RefreshTokenGrant,
  Saml2BearerGrant,
  SmsOtpGrant,
  SmtpOtpGrant,
];

@Module({
  imports: [
    PersistenceModule,
    TokensModule,
    AccountsModule,
    OtpModule,
    SamlModule,
    AuthorizationModule,
    ObservabilityModule,
    FactorsModule,
  ],
  providers: [
    ...GRANT_HANDLERS,
    {
      provide: GrantRegistry,
      useFactory: (metrics: Metrics, audit: AuditLog, ...handlers: GrantHandler[]) =>
        new GrantRegistry(handlers, metrics, audit),
      inject: [Metrics, AuditLog, ...GRANT_HANDLERS],
    },
  ],
  exports: [GrantRegistry],
})
export class GrantsModule {}
