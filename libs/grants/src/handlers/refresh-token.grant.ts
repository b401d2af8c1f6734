import { Injectable } from '@nestjs/common';

import { GrantType, SUPPORTED_SCOPES } from '@app/clients';
import { Clock } from '@app/config';
import { hashToken } from '@app/crypto';
import { OAuthError } from '@app/errors';
import { AuditLog, ConsumedRefreshToken, Database, RefreshTokenRepository } from '@app/persistence';
import { MintedRefreshToken, TokenResponse, TokenService } from '@app/tokens';

import { GrantHandler, requireParam, TokenRequest } from '../grant-handler';

/**
 * RFC 6749 §6 with rotation (RFC 9700 §4.14.2): the presented token is consumed and its
 * successor stored in one step; presenting a consumed token again revokes the whole grant. A
 * `scope` may only narrow what was granted, for this response alone.
 */
@Injectable()
export class RefreshTokenGrant implements GrantHandler {
  readonly grantType = GrantType.RefreshToken;
  readonly parameters = ['refresh_token', 'scope'] as const;

  constructor(
    private readonly db: Database,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  async handle({ client, params, clientAddress }: TokenRequest): Promise<TokenResponse> {
    const presented = hashToken(requireParam(params, 'refresh_token'));
    const now = this.clock.now();
    const next = this.tokens.mintRefreshToken(now);
    const requested = params.scope?.trim() ? params.scope : null;
    const rotated =
      requested === null
        ? await this.refreshTokens.rotate(presented, client.clientId, now, {
            tokenHash: next.tokenHash,
            expiresAt: next.expiresAt,
          })
        : await this.rotateNarrowing(presented, client.clientId, requested, next, now);
    if (!rotated) {
      // RFC 9700 §4.14.2: a rotated refresh token presented again signals theft.
      if (await this.refreshTokens.revokeGrantOfUsedToken(presented, client.clientId, now)) {
        await this.audit.recordQuietly({
          type: 'refresh_token.reuse_detected',
          outcome: 'failure',
          clientId: client.clientId,
          ip: clientAddress ?? null,
        });
      }
      // Same answer for unknown, used, expired, revoked and foreign tokens: never say which.
      throw new OAuthError('invalid_grant', 'The refresh token is invalid.');
    }
    try {
      return await this.tokens.reissue({
        client,
        grant: rotated.grant,
        scope: rotated.scope,
        refreshToken: next,
      });
    } catch (error) {
      // The presented token is spent and its successor was never sent: a retry with the token
      // the client holds would look like a replay and revoke the grant (RFC 9700 §4.14.2). The
      // rotation is undone so the error (a 503 invites the retry) leaves the grant as it was.
      try {
        await this.refreshTokens.undoRotation(presented, next.tokenHash, client.clientId);
      } catch {
        // The database is out of reach too: the token stays spent, as before this attempt.
      }
      throw error;
    }
  }

  /**
   * Consumes the presented token, checks the narrowing and stores the successor in one
   * transaction, so an invalid_scope leaves the presented token unused.
   */
  private rotateNarrowing(
    presented: Buffer,
    clientId: string,
    requested: string,
    next: MintedRefreshToken,
    now: Date,
  ): Promise<ConsumedRefreshToken | null> {
    return this.db.transaction(async (tx) => {
      const consumed = await this.refreshTokens.consume(presented, clientId, now, tx);
      if (!consumed) return null;
      const scope = narrowScope(consumed.scope, requested);
      // RFC 6749 §6: the new refresh token's scope is identical to the presented one's.
      await this.refreshTokens.create(
        {
          tokenHash: next.tokenHash,
          grantId: consumed.grant.id,
          clientId,
          scope: consumed.scope,
          createdAt: now,
          expiresAt: next.expiresAt,
        },
        tx,
      );
      return { grant: consumed.grant, scope };
    });
  }
}

/**
 * RFC 6749 §6: the requested scope must not include any scope not originally granted. A value
 * the server does not know is ignored, as in every request (OpenID Connect Core §3.1.2.1).
 */
function narrowScope(granted: string, requested: string): string {
  const allowed = granted.split(' ');
  const asked = [...new Set(requested.split(' ').filter(Boolean))].filter((s) =>
    SUPPORTED_SCOPES.includes(s),
  );
  if (asked.some((s) => !allowed.includes(s))) {
    throw new OAuthError(
      'invalid_scope',
      'The requested scope exceeds the scope originally granted.',
    );
  }
  return asked.join(' ');
}
