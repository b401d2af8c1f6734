/** Provides MasterKeyCipher built from MASTER_KEY (or DATA_DIR/master.key in embedded mode). */
export { CryptoModule } from './crypto.module';
/** AES-256-GCM encryption of secrets at rest under MASTER_KEY, and per-purpose keys derived from it. */
export { DecryptionError, MasterKeyCipher } from './master-key-cipher';
/** Random values, token hashing and constant-time comparison. */
export { generateMasterKey, hashToken, randomToken, safeEqual } from './tokens';
