import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Thrown when a value cannot be decrypted: wrong MASTER_KEY or tampered data. */
export class DecryptionError extends Error {
  constructor() {
    super('The value cannot be decrypted with this MASTER_KEY.');
  }
}

/**
 * AES-256-GCM envelope for secrets at rest (private keys, client secrets).
 * Format: `v1.<iv>.<ciphertext>.<tag>`, base64url parts. `context` is bound as AAD so a
 * ciphertext copied from one row (e.g. a client secret) cannot be replayed into another.
 */
export class MasterKeyCipher {
  private readonly key: Buffer;

  constructor(masterKeyBase64Url: string) {
    this.key = Buffer.from(masterKeyBase64Url, 'base64url');
    if (this.key.length !== 32) throw new Error('MASTER_KEY must be 32 bytes');
  }

  encrypt(plaintext: string | Buffer, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return [VERSION, iv, ciphertext, cipher.getAuthTag()]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  decrypt(envelope: string, context: string): Buffer {
    const [version, iv, ciphertext, tag] = envelope.split('.');
    if (version !== VERSION || !iv || ciphertext === undefined || !tag) throw new DecryptionError();
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]);
    } catch {
      throw new DecryptionError();
    }
  }

  decryptString(envelope: string, context: string): string {
    return this.decrypt(envelope, context).toString('utf8');
  }

  /**
   * A 32-byte key for one purpose, derived from MASTER_KEY with HKDF-SHA256 (RFC 5869), e.g.
   * the HMAC key of OTP hashes. Different purposes give independent keys.
   */
  deriveKey(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.key, Buffer.alloc(0), `uas:${purpose}`, 32));
  }
}
