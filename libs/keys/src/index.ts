/** Signing and encryption keys: creation, rotation, JWKS, sign and verify our JWTs. */
export { KeysModule } from './keys.module';
export { KeyStore } from './key-store.service';
export type { KeyStatus, KeySummary } from './key-store.service';
export type { PublicJwk } from './key-material';
/** RFC 7638 thumbprint of an RSA public key. */
export { rsaThumbprint } from './key-material';
/** Compact JWS helpers (decode without verifying; RS256 sign/verify with node:crypto). */
export { decodeJws, signRs256, verifyRs256 } from './jws';
/** Which JOSE algorithms are implemented per use (what discovery advertises). */
export { JoseSupport } from './jose-support';
