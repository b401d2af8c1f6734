import { Module } from '@nestjs/common';

import { PersistenceModule } from '@app/persistence';

import { SamlAssertionVerifier } from './saml-assertion-verifier';
import { SamlIssuerService } from './saml-issuer.service';

/** Trusted SAML issuers and RFC 7522 assertion verification. */
@Module({
  imports: [PersistenceModule],
  providers: [SamlIssuerService, SamlAssertionVerifier],
  exports: [SamlIssuerService, SamlAssertionVerifier],
})
export class SamlModule {}
