/** SAML 2.0 bearer assertions (RFC 7522): trusted issuers and assertion verification. */
export { SamlModule } from './saml.module';
/** Verifies an `assertion` parameter against the registered issuers; invalid_grant otherwise. */
export { SamlAssertionVerifier } from './saml-assertion-verifier';
export type { VerifiedAssertion } from './verified-assertion';
/** Registers, lists and removes trusted issuers (admin API). */
export { SamlIssuerService } from './saml-issuer.service';
export type { SamlIssuer, SamlIssuerInput } from './saml-issuer.service';
