import { EncryptedContent } from './content-encryption';

/** The five parts of a JWE Compact Serialization (RFC 7516 §7.1), decoded. */
export interface CompactJwe extends EncryptedContent {
  /** The protected header as sent: its ASCII is the additional authenticated data. */
  encodedHeader: string;
  header: Record<string, unknown>;
  encryptedKey: Buffer;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** The decoded parts; null unless `compact` is five base64url parts, the first a JSON object. */
export function parseCompactJwe(compact: string): CompactJwe | null {
  const parts = compact.split('.');
  if (parts.length !== 5 || !parts.every((part) => BASE64URL.test(part))) return null;
  const [encodedHeader, encryptedKey, iv, ciphertext, tag] = parts;
  const header = parseJsonObject(Buffer.from(encodedHeader, 'base64url').toString('utf8'));
  if (!header) return null;
  return {
    encodedHeader,
    header,
    encryptedKey: Buffer.from(encryptedKey, 'base64url'),
    iv: Buffer.from(iv, 'base64url'),
    ciphertext: Buffer.from(ciphertext, 'base64url'),
    tag: Buffer.from(tag, 'base64url'),
  };
}

/** RFC 7516 §7.1: the five parts, base64url, joined by dots. */
export function serializeCompactJwe(
  encodedHeader: string,
  encryptedKey: Uint8Array,
  content: EncryptedContent,
): string {
  const binaryParts = [encryptedKey, content.iv, content.ciphertext, content.tag];
  const encodedParts = binaryParts.map((part) => Buffer.from(part).toString('base64url'));
  return [encodedHeader, ...encodedParts].join('.');
}

export function encodeHeader(header: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(header), 'utf8').toString('base64url');
}

function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
