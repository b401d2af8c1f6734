import { createHmac } from 'node:crypto';

import { RegisteredClient } from '@app/clients';
import { KeyStore } from '@app/keys';

/**
 * Signs a JWT addressed to a client with the algorithm it registered: RS256 with the active
 * server key, or HS256 keyed with the client secret's UTF-8 octets (OpenID Connect Core §10.1).
 */
export async function signForClient(
  keys: KeyStore,
  client: RegisteredClient,
  alg: string,
  payload: Record<string, unknown>,
  typ = 'JWT',
): Promise<string> {
  if (alg === 'RS256') return keys.sign(payload, typ);
  if (alg === 'HS256' && client.secret) {
    const input = `${b64(JSON.stringify({ alg: 'HS256', typ }))}.${b64(JSON.stringify(payload))}`;
    return `${input}.${createHmac('sha256', Buffer.from(client.secret, 'utf8')).update(input).digest('base64url')}`;
  }
  // The admin API refuses to register anything else; reaching here is a server fault.
  throw new Error(`cannot sign with ${alg} for client ${client.clientId}`);
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
