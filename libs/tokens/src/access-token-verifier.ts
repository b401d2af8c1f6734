import { Inject, Injectable } from '@nestjs/common';

import { APP_CONFIG, AppConfig, Clock } from '@app/config';
import { KeyStore } from '@app/keys';
import { AccessTokenLiveness } from './access-token-liveness';
import { readTokenGeneration } from './token-generation';
import { AccessTokenClaims } from './token-types';

/**
 * Decides whether one of our access tokens is active: signature by a published key, RFC 9068
 * typ, our issuer, not expired, and (authoritatively, CONTRACT §3, §4) its client still exists and
 * has not revoked all its tokens since, its grant is not revoked and the token itself was not
 * revoked.
 */
@Injectable()
export class AccessTokenVerifier {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly keys: KeyStore,
    private readonly liveness: AccessTokenLiveness,
  ) {}

  /** The verified claims, or null when the token is not an active access token of ours. */
  async verify(token: string): Promise<AccessTokenClaims | null> {
    const claims = await this.verifySignature(token);
    if (!claims) return null;
    const live = await this.liveness.isLive(
      claims.client_id,
      claims.gid ?? null,
      claims.jti,
      claims.cgen ?? 0,
    );
    return live ? claims : null;
  }

  /** Signature, type, issuer and expiry only: for revocation, which needs no liveness. */
  async verifySignature(token: string): Promise<AccessTokenClaims | null> {
    if (token.length > 8192) return null;
    const verified = await this.keys.verify(token);
    if (!verified || verified.header.typ !== 'at+jwt') return null;
    const c = verified.payload;
    if (
      c.iss !== this.config.issuer.url ||
      typeof c.exp !== 'number' ||
      c.exp <= this.clock.nowSeconds()
    )
      return null;
    if (typeof c.sub !== 'string' || typeof c.client_id !== 'string' || typeof c.jti !== 'string')
      return null;
    if (
      !/^[0-9a-f-]{36}$/i.test(c.client_id) ||
      (c.gid !== undefined && (typeof c.gid !== 'string' || !/^[0-9a-f-]{36}$/i.test(c.gid)))
    )
      return null;
    if (readTokenGeneration(c) === null) return null;
    return c as unknown as AccessTokenClaims;
  }
}
