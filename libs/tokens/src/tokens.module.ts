import { Module } from '@nestjs/common';

import { AccountsModule } from '@app/accounts';
import { ClientsModule } from '@app/clients';
import { KeysModule } from '@app/keys';
import { ObservabilityModule } from '@app/observability';
import { PersistenceModule } from '@app/persistence';

import { AccessTokenLiveness } from './access-token-liveness';
import { AccessTokenVerifier } from './access-token-verifier';
import { BackchannelLogoutSender } from './backchannel-logout.sender';
import { ClientResponseProtector } from './client-response-protector';
import { ClientTokenRevocation } from './client-token-revocation.service';
import { TokenIntrospection } from './token-introspection.service';
import { TokenService } from './token.service';
import { UserClaimsCache } from './user-claims.cache';
import { UserinfoService } from './userinfo.service';

/** Token issuance, verification, introspection and revocation. */
@Module({
  imports: [KeysModule, PersistenceModule, ClientsModule, AccountsModule, ObservabilityModule],
  providers: [
    ClientResponseProtector,
    TokenService,
    AccessTokenLiveness,
    AccessTokenVerifier,
    TokenIntrospection,
    UserinfoService,
    UserClaimsCache,
    BackchannelLogoutSender,
    ClientTokenRevocation,
  ],
  exports: [
    ClientResponseProtector,
    TokenService,
    AccessTokenVerifier,
    TokenIntrospection,
    UserinfoService,
    ClientTokenRevocation,
  ],
})
export class TokensModule {}
