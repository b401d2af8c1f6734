/** Signing and encryption keys: creation, rotation, JWKS, sign and verify our JWTs. */
export { KeysModule } from './keys.module';
export { KeyStore } from './key-store.service';
export type { JwksDocument, KeyStatus, KeySummary } from './key-store.service';
export type { PublicJwk } from './key-material';
/** RFC 7638 thumbprint of an RSA public key. */
export { rsaThumbprint } from './key-material';
/** Compact JWS helpers (decode without verifying; RS256 sign/verify with node:crypto). */
export { decodeJws, signRs256, verifyRs256 } from './jws';
/** Which JOSE algorithms are implemented per use (what discovery advertises). */
export { JoseSupport } from './jose-support';
/**
 * Encrypts an ID token or userinfo response to a client (RSA-OAEP, RSA-OAEP-256, RSA1_5,
 * A128KW, A256KW). A plain Error means the client's registration is unusable.
 */
export { encryptJwe } from './jwe/encrypt-jwe';
export type { JweEncryptOptions } from './jwe/encrypt-jwe';
/** Decrypts a request object sent to us; every failure is one invalid_request_object. */
export { decryptJwe } from './jwe/decrypt-jwe';
export type { JweDecryptOptions, JweDecryptResult } from './jwe/decrypt-jwe';
/** The JWE alg and enc values implemented (never dir); the enc used when none is registered. */
export { DEFAULT_JWE_ENC, JweAlgs, JweEncs } from './jwe/jwe-algorithms';
export type { JweAlg, JweEnc, JweHeader } from './jwe/jwe-algorithms';
/** OpenID Connect Core §10.2: the A128KW / A256KW key derived from a client secret. */
export { deriveSecretKey } from './jwe/secret-key';
/**
 * The client's RSA key a JWE is encrypted to, null when its JWKS has none: the rule the admin
 * API can apply at registration.
 */
export { selectClientEncryptionKey } from './jwe/client-encryption-key';
export type { ClientEncryptionKey, ClientJwks } from './jwe/client-encryption-key';
