import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';

import { UserGroups } from '@app/accounts';
import { GrantType, RegisteredClient } from '@app/clients';
import { APP_CONFIG, AppConfig, Clock } from '@app/config';
import { hashToken, randomToken } from '@app/crypto';
import { acrOf } from '@app/factors';
import { OAuthError } from '@app/errors';
import { KeyStore } from '@app/keys';
import { GrantRecord, GrantRepository, RefreshTokenRepository } from '@app/persistence';

import { releaseClaims, releasedClaimNames } from './claim-release';
import { ClientResponseProtector } from './client-response-protector';
import { tokenGenerationClaim } from './token-generation';
import { UserClaimsCache } from './user-claims.cache';
import { IssueTokensRequest, TokenResponse } from './token-types';

/** A refresh token just minted: the value to answer once, and what to store of it. */
export interface MintedRefreshToken {
  readonly value: string;
  readonly tokenHash: Buffer;
  readonly expiresAt: Date;
}

/** A token response for a grant that exists already (RFC 6749 §6: a refresh). */
export interface ReissueRequest {
  readonly client: RegisteredClient;
  readonly grant: GrantRecord;
  /** Space-separated; the grant's scope or a narrowing of it. */
  readonly scope: string;
  /** The successor of the presented refresh token, stored by the caller. */
  readonly refreshToken: MintedRefreshToken;
}

/** An access token bound to no grant (RFC 6749 §4.4: the client acts for itself). */
export interface IssueAccessTokenRequest {
  readonly client: RegisteredClient;
  readonly subject: string;
  readonly scope: readonly string[];
}

/** Mints access, ID and refresh tokens. */
@Injectable()
export class TokenService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly keys: KeyStore,
    private readonly grants: GrantRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly protector: ClientResponseProtector,
    private readonly users: UserClaimsCache,
    private readonly userGroups: UserGroups,
  ) {}

  /**
   * Records a grant for a request that passed its checks and answers its tokens: an ID token
   * when the scope has openid, a refresh token when the client registered the refresh grant.
   */
  async issue(request: IssueTokensRequest): Promise<TokenResponse> {
    await this.assertMayUse(request.client, request.userId);
    const now = this.clock.now();
    const scope = request.scope.join(' ');
    const grant: GrantRecord = {
      id: request.grantId ?? randomUUID(),
      clientId: request.client.clientId,
      userId: request.userId,
      subject: request.subject,
      scope,
      authTime: request.authTime,
      amr: [...request.amr],
      claims: { ...request.claims },
      requestedClaims: request.requestedClaims ?? null,
      sessionId: request.sessionId ?? null,
    };
    const refreshToken = this.mayRefresh(request.client) ? this.mintRefreshToken(now) : null;
    if (refreshToken) {
      await this.refreshTokens.createWithGrant(grant, {
        tokenHash: refreshToken.tokenHash,
        scope,
        createdAt: now,
        expiresAt: refreshToken.expiresAt,
      });
    } else {
      await this.grants.create(grant, now);
    }
    return this.respond({
      client: request.client,
      grant,
      subject: request.subject,
      scope,
      authTime: request.authTime,
      amr: grant.amr,
      nonce: request.nonce ?? null,
      refreshToken: refreshToken?.value ?? null,
      now,
    });
  }

  /**
   * An access token alone: no grant is stored, so there is nothing to refresh (RFC 6749 §4.4.3)
   * and no end-user for an ID token. The JWT is all the state there is.
   */
  issueAccessToken(request: IssueAccessTokenRequest): Promise<TokenResponse> {
    return this.respond({
      client: request.client,
      grant: null,
      subject: request.subject,
      scope: request.scope.join(' '),
      authTime: null,
      amr: [],
      nonce: null,
      refreshToken: null,
      now: this.clock.now(),
    });
  }

  /** The answer to a refresh (RFC 6749 §6): new access and ID tokens for `grant`, and the rotated refresh token. */
  async reissue(request: ReissueRequest): Promise<TokenResponse> {
    const { client, grant, scope } = request;
    if (!(await this.mayUse(client, grant.userId))) {
      // The user left every allowed group since the grant: the grant ends with the membership.
      await this.grants.revoke(grant.id, this.clock.now());
      throw notAllowed();
    }
    return this.respond({
      client,
      grant,
      subject: grant.subject,
      scope,
      authTime: grant.authTime,
      amr: grant.amr,
      nonce: null,
      refreshToken: request.refreshToken.value,
      now: this.clock.now(),
    });
  }

  /** A new refresh token value, its hash and its expiry (REFRESH_TOKEN_TTL_SECONDS from `now`). */
  mintRefreshToken(now: Date): MintedRefreshToken {
    const value = randomToken(32);
    return {
      value,
      tokenHash: hashToken(value),
      expiresAt: new Date(now.getTime() + this.config.tokens.refreshTokenTtlSeconds * 1000),
    };
  }

  /**
   * CONTRACT §4 `allowed_groups`: only members of one of the client's groups get tokens for it,
   * at every grant (password, code, refresh), so a membership ended after sign-in ends access.
   */
  private async assertMayUse(client: RegisteredClient, userId: string | null): Promise<void> {
    if (!(await this.mayUse(client, userId))) throw notAllowed();
  }

  private mayUse(client: RegisteredClient, userId: string | null): Promise<boolean> {
    const allowed = client.metadata.allowed_groups;
    if (!allowed || allowed.length === 0) return Promise.resolve(true);
    return this.userGroups.mayUse(allowed, userId);
  }

  private mayRefresh(client: RegisteredClient): boolean {
    return client.metadata.grant_types.includes(GrantType.RefreshToken);
  }

  private async respond(t: {
    client: RegisteredClient;
    grant: GrantRecord | null;
    subject: string;
    scope: string;
    authTime: Date | null;
    amr: string[];
    nonce: string | null;
    refreshToken: string | null;
    now: Date;
  }): Promise<TokenResponse> {
    const iat = Math.floor(t.now.getTime() / 1000);
    const ttl = this.config.tokens.accessTokenTtlSeconds;
    const authTime = t.authTime ? Math.floor(t.authTime.getTime() / 1000) : undefined;
    // RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat, jti; scope per §2.2.3.
    const accessToken = await this.keys.sign(
      {
        iss: this.config.issuer.url,
        sub: t.subject,
        aud: t.client.clientId,
        client_id: t.client.clientId,
        scope: t.scope,
        iat,
        exp: iat + ttl,
        // randomUUID draws from a cached entropy pool: 122 random bits without a syscall per token.
        jti: randomUUID(),
        ...(authTime !== undefined ? { auth_time: authTime } : {}),
        ...(t.grant ? { gid: t.grant.id } : {}),
        ...tokenGenerationClaim(t.client.tokenGeneration),
      },
      'at+jwt',
    );
    const response: TokenResponse = {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: ttl,
      scope: t.scope,
    };
    if (t.grant && t.scope.split(' ').includes('openid')) {
      response.id_token = await this.idToken(
        t.client,
        t.subject,
        iat,
        authTime ?? iat,
        t.amr,
        t.nonce,
        accessToken,
        await this.idTokenClaims(t.client, t.grant, t.scope),
        t.grant.sessionId ?? null,
      );
    }
    if (t.refreshToken) response.refresh_token = t.refreshToken;
    return response;
  }

  /**
   * The claims the ID token releases (CONTRACT "Scopes and claims"); the user is read only when
   * some are released, so their current values go out (from UserClaimsCache, which every
   * instance empties when the user changes).
   */
  private async idTokenClaims(
    client: RegisteredClient,
    grant: GrantRecord,
    scope: string,
  ): Promise<Record<string, unknown>> {
    const source = {
      client,
      scope: scope.split(' ').filter(Boolean),
      grantScope: grant.scope.split(' ').filter(Boolean),
      requestedClaims: grant.requestedClaims,
    };
    const names = releasedClaimNames('id_token', source);
    const user = names.size > 0 && grant.userId ? await this.users.user(grant.userId) : null;
    const groups = user && names.has('groups') ? await this.users.groupNames(user.id) : [];
    return releaseClaims('id_token', { ...source, grantClaims: grant.claims, user, groups }, names);
  }

  /** OpenID Connect Core §2 and §3.1.3.6. */
  private idToken(
    client: RegisteredClient,
    subject: string,
    iat: number,
    authTime: number,
    amr: string[],
    nonce: string | null,
    accessToken: string,
    claims: Record<string, unknown>,
    sid: string | null,
  ): Promise<string> {
    const alg = client.metadata.id_token_signed_response_alg ?? 'RS256';
    // at_hash: left half of the SHA-256 of the access token (both RS256 and HS256 use SHA-256).
    const atHash = hashToken(accessToken).subarray(0, 16).toString('base64url');
    const payload: Record<string, unknown> = {
      ...claims,
      iss: this.config.issuer.url,
      sub: subject,
      aud: client.clientId,
      exp: iat + this.config.tokens.idTokenTtlSeconds,
      iat,
      auth_time: authTime,
      azp: client.clientId,
      amr,
      // OpenID Connect Core §2: the class follows from the methods (a second factor or not).
      acr: acrOf(amr),
      at_hash: atHash,
      ...(nonce ? { nonce } : {}),
      // Back-Channel Logout 1.0 §2.1: the session the RP will be told has ended.
      ...(sid ? { sid } : {}),
    };
    return this.protector.protect(client, payload, {
      signAlg: alg,
      encAlg: client.metadata.id_token_encrypted_response_alg,
      encEnc: client.metadata.id_token_encrypted_response_enc,
    });
  }
}

/** RFC 6749 §5.2: the grant is not valid for this client, as the user may not use it. */
function notAllowed(): OAuthError {
  return new OAuthError('invalid_grant', 'The user is not allowed to use this application.');
}
