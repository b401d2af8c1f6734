import { timingSafeEqual } from 'node:crypto';

import { hashToken } from '@app/crypto';

import { RegisteredClient } from '../client';

const NO_SECRET = Buffer.alloc(32);

/**
 * True when `presented` is the client's secret. Compares SHA-256 digests in constant time, so
 * neither the secret's length nor the position of the first difference leaks through timing.
 */
export function matchesClientSecret(client: RegisteredClient, presented: string): boolean {
  const actual = hashToken(presented);
  const expected = client.secretHash;
  if (!expected || expected.length !== actual.length) {
    // Same work as a real comparison, so a client without a secret is not told apart by timing.
    timingSafeEqual(actual, NO_SECRET);
    return false;
  }
  return timingSafeEqual(actual, expected);
}
