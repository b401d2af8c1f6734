import { createHmac, timingSafeEqual } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';

import { ClientRegistry, RegisteredClient } from '@app/clients';
import { APP_CONFIG, AppConfig } from '@app/config';
import { decodeJws, KeyStore } from '@app/keys';

/** What a valid id_token_hint says: whose session, from which client. */
export interface IdTokenHint {
  readonly client: RegisteredClient;
  readonly subject: string;
  /** Back-Channel Logout 1.0 §2.1; absent from ID tokens made without a browser session. */
  readonly sid: string | null;
}

/**
 * RP-Initiated Logout 1.0 §2: an id_token_hint is an ID token this server issued to the client,
 * "expired or not". Its signature is checked as strictly as any JWT we accept (RFC 8725 §3.1):
 * RS256 by one of our signing keys, or HS256 keyed with the secret of a client that registered
 * HS256 ID tokens, never anything else; its `iss` is ours; `exp` is not checked. An access or
 * logout token signed by the same key is refused by its `typ`, a signed UserInfo response by
 * its lack of `iat` and `exp`. Only keys still published verify (a retired key's hints do not).
 */
@Injectable()
export class IdTokenHintVerifier {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly keys: KeyStore,
    private readonly clients: ClientRegistry,
  ) {}

  /** The hint's content, or null when it is no ID token of ours. */
  async verify(token: string): Promise<IdTokenHint | null> {
    const jws = decodeJws(token);
    if (!jws) return null;
    const { header, payload } = jws;
    if (header.typ !== undefined && header.typ !== 'JWT') return null;
    if (payload.iss !== this.config.issuer.url || typeof payload.sub !== 'string') return null;
    // OpenID Connect Core §2: an ID token always has iat and exp. A signed UserInfo response
    // (§5.3.2) is signed by the same key with the same typ but has neither: it is no hint.
    if (typeof payload.iat !== 'number' || typeof payload.exp !== 'number') return null;
    const audience: unknown[] = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    // OpenID Connect Core §2: with several audiences, azp names the client it was issued to.
    const clientId = audience.length === 1 ? audience[0] : payload.azp;
    if (typeof clientId !== 'string' || !audience.includes(clientId)) return null;
    const client = await this.clients.findById(clientId);
    if (!client) return null;
    const valid =
      header.alg === 'RS256'
        ? (await this.keys.verify(token)) !== null
        : header.alg === 'HS256' && hmacValid(client, jws.signingInput, jws.signature);
    if (!valid) return null;
    return {
      client,
      subject: payload.sub,
      sid: typeof payload.sid === 'string' ? payload.sid : null,
    };
  }
}

/** Only for a client whose ID tokens are HS256: its secret is then the key (OpenID Connect Core §10.1). */
function hmacValid(client: RegisteredClient, input: string, signature: Buffer): boolean {
  if (client.metadata.id_token_signed_response_alg !== 'HS256' || !client.secret) return false;
  const expected = createHmac('sha256', Buffer.from(client.secret, 'utf8')).update(input).digest();
  return expected.length === signature.length && timingSafeEqual(expected, signature);
}
