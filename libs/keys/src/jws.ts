import { createVerify, KeyObject, sign } from 'node:crypto';

/**
 * Compact JWS with RS256 through node:crypto (cheaper than a generic JOSE library on the hot path).
 * The RSA arithmetic, most of a token response's CPU, runs on libuv's thread pool as the callback
 * form of `crypto.sign` does: the event loop serves other requests meanwhile, so one process uses
 * more than one core for signatures (the CPU per signature is the same).
 */
export function signRs256(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: KeyObject,
): Promise<string> {
  const input = `${b64json(header)}.${b64json(payload)}`;
  return new Promise((resolve, reject) => {
    sign('sha256', Buffer.from(input, 'ascii'), key, (error, signature) => {
      if (error) reject(error);
      else resolve(`${input}.${signature.toString('base64url')}`);
    });
  });
}

/** The decoded parts of a compact JWS, or null when it is not one. Verifies nothing. */
export function decodeJws(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
} | null {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return null;
  try {
    const header: unknown = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (!isObject(header) || !isObject(payload)) return null;
    return {
      header,
      payload,
      signingInput: `${parts[0]}.${parts[1]}`,
      signature: Buffer.from(parts[2], 'base64url'),
    };
  } catch {
    return null;
  }
}

export function verifyRs256(signingInput: string, signature: Buffer, key: KeyObject): boolean {
  return createVerify('sha256').update(signingInput).verify(key, signature);
}

function b64json(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
