import { Injectable } from '@nestjs/common';

import { RegisteredClient } from '@app/clients';
import { Clock } from '@app/config';
import { hashToken } from '@app/crypto';
import { AuditLog, GrantRepository, RefreshTokenRepository } from '@app/persistence';

import { AccessTokenVerifier } from './access-token-verifier';

const INACTIVE = { active: false } as const;

/**
 * RFC 7662 introspection and RFC 7009 revocation. A token answers only to the client it was
 * issued to; to anyone else it is inactive (RFC 7662 §4: no token scanning).
 */
@Injectable()
export class TokenIntrospection {
  constructor(
    private readonly clock: Clock,
    private readonly accessTokens: AccessTokenVerifier,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly grants: GrantRepository,
    private readonly audit: AuditLog,
  ) {}

  /** RFC 7662 §2.2. `token_type_hint` is only a hint (§2.1), so both kinds are always tried. */
  async introspect(token: string, caller: RegisteredClient): Promise<Record<string, unknown>> {
    const now = this.clock.nowSeconds();
    const access = looksLikeJwt(token) ? await this.accessTokens.verify(token) : null;
    if (access) {
      if (access.client_id !== caller.clientId) return INACTIVE;
      return {
        active: true,
        scope: access.scope,
        client_id: access.client_id,
        token_type: 'access_token',
        sub: access.sub,
        aud: access.aud,
        iss: access.iss,
        exp: access.exp,
        iat: access.iat,
        jti: access.jti,
        ...(access.auth_time !== undefined ? { auth_time: access.auth_time } : {}),
        expires_in: Math.max(0, access.exp - now),
      };
    }
    const refresh = await this.refreshTokens.findActive(hashToken(token), this.clock.now());
    if (!refresh || refresh.clientId !== caller.clientId) return INACTIVE;
    const exp = Math.floor(refresh.expiresAt.getTime() / 1000);
    return {
      active: true,
      scope: refresh.scope,
      client_id: refresh.clientId,
      token_type: 'refresh_token',
      sub: refresh.subject,
      exp,
      iat: Math.floor(refresh.createdAt.getTime() / 1000),
      expires_in: Math.max(0, exp - now),
    };
  }

  /**
   * RFC 7009 §2.1: revoking a refresh token revokes its grant, and with it every access token
   * issued from the grant; an access token is revoked alone. Unknown, foreign or already
   * invalid tokens are ignored: the endpoint answers the same either way (§2.2).
   * `clientAddress` is the HTTP client's, for the audit event.
   */
  async revoke(
    token: string,
    caller: RegisteredClient,
    clientAddress: string | null,
  ): Promise<void> {
    if (looksLikeJwt(token)) {
      const access = await this.accessTokens.verifySignature(token);
      if (access) {
        if (access.client_id === caller.clientId) {
          await this.grants.revokeAccessToken(access.jti, new Date(access.exp * 1000));
          await this.audit.recordQuietly({
            type: 'token.revoked',
            outcome: 'success',
            subject: access.sub,
            clientId: caller.clientId,
            ip: clientAddress,
            details: { token_type: 'access_token', jti: access.jti },
          });
        }
        return;
      }
    }
    const grantId = await this.refreshTokens.findGrantId(hashToken(token), caller.clientId);
    if (!grantId) return;
    await this.grants.revoke(grantId, this.clock.now());
    await this.audit.recordQuietly({
      type: 'token.revoked',
      outcome: 'success',
      clientId: caller.clientId,
      ip: clientAddress,
      details: { token_type: 'refresh_token', grant_id: grantId },
    });
  }
}

function looksLikeJwt(token: string): boolean {
  return token.split('.').length === 3;
}
