import { createHash, randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';

import { RegisteredClient } from '@app/clients';
import { APP_CONFIG, AppConfig, Clock } from '@app/config';
import { hashToken, randomToken } from '@app/crypto';
import { OAuthError } from '@app/errors';
import { KeyStore } from '@app/keys';
import { Metrics } from '@app/observability';
import { Database, GrantRecord, GrantRepository, RefreshTokenRepository } from '@app/persistence';

import { ClientResponseProtector } from './client-response-protector';
import { IssueTokensRequest, TokenResponse } from './token-types';

const CLIENT_CREDENTIALS = 'client_credentials';
const REFRESH_TOKEN = 'refresh_token';

/** What refreshing needs: RFC 6749 §6. */
export interface RefreshRequest {
  readonly client: RegisteredClient;
  readonly refreshToken: string;
  /** Space-separated; may only narrow the original scope. */
  readonly scope: string | undefined;
}

/** Mints access, ID and refresh tokens. */
@Injectable()
export class TokenService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly keys: KeyStore,
    private readonly db: Database,
    private readonly grants: GrantRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly protector: ClientResponseProtector,
    private readonly metrics: Metrics,
  ) {}

  /** Issues the token response for a grant that passed its checks. */
  async issue(request: IssueTokensRequest): Promise<TokenResponse> {
    const now = this.clock.now();
    const scope = request.scope.join(' ');
    // client_credentials needs no stored state: the token is a JWT and the client is its subject.
    if (request.grantType === CLIENT_CREDENTIALS) {
      return this.counted(request.grantType, this.respond({ client: request.client, grant: null, subject: request.subject, scope, authTime: null, amr: [], nonce: null, claims: {}, refreshToken: null, now }));
    }
    const grant: GrantRecord = {
      id: request.grantId ?? randomUUID(),
      clientId: request.client.clientId,
      userId: request.userId,
      subject: request.subject,
      scope,
      authTime: request.authTime,
      amr: [...request.amr],
      claims: { ...request.claims },
    };
    const refreshToken = this.mayRefresh(request.client) ? randomToken(32) : null;
    if (refreshToken) {
      const row = this.refreshRow(refreshToken, grant, scope, now);
      await this.refreshTokens.createWithGrant(grant, row);
    } else {
      await this.grants.create(grant, now);
    }
    return this.counted(request.grantType, this.respond({
      client: request.client, grant, subject: request.subject, scope, authTime: request.authTime, amr: grant.amr,
      nonce: request.nonce ?? null, claims: grant.claims, refreshToken, now,
    }));
  }

  /**
   * Rotates a refresh token (RFC 9700 §4.14.2): the presented token is consumed and a new one
   * issued in one transaction; presenting a consumed token again revokes the whole grant.
   */
  async refresh(request: RefreshRequest): Promise<TokenResponse> {
    const now = this.clock.now();
    const presentedHash = hashToken(request.refreshToken);
    const next = randomToken(32);
    const result = await this.rotate(request, presentedHash, next, now);
    if (!result) {
      await this.refreshTokens.revokeGrantOfUsedToken(presentedHash, request.client.clientId, now);
      // Same answer for unknown, used, expired, revoked and foreign tokens: never say which.
      throw new OAuthError('invalid_grant', 'The refresh token is invalid.');
    }
    const { grant, scope } = result;
    return this.counted(REFRESH_TOKEN, this.respond({
      client: request.client, grant, subject: grant.subject, scope, authTime: grant.authTime, amr: grant.amr,
      nonce: null, claims: grant.claims, refreshToken: next, now,
    }));
  }

  /** uas_tokens_issued_total counts responses actually handed out, once each. */
  private async counted(grantType: string, response: Promise<TokenResponse>): Promise<TokenResponse> {
    const issued = await response;
    this.metrics.countTokensIssued(grantType);
    return issued;
  }

  /**
   * Consumes the presented token and stores its successor atomically. Without a scope
   * parameter that is one statement; a narrowing scope is checked between the two inside a
   * transaction, so an invalid_scope leaves the presented token unused.
   */
  private async rotate(
    request: RefreshRequest, presentedHash: Buffer, next: string, now: Date,
  ): Promise<{ grant: GrantRecord; scope: string } | null> {
    if (request.scope === undefined || request.scope.trim() === '') {
      const expiresAt = new Date(now.getTime() + this.config.tokens.refreshTokenTtlSeconds * 1000);
      const consumed = await this.refreshTokens.rotate(presentedHash, request.client.clientId, now, { tokenHash: hashToken(next), expiresAt });
      return consumed && { grant: consumed.grant, scope: consumed.scope };
    }
    return this.db.transaction(async (tx) => {
      const consumed = await this.refreshTokens.consume(presentedHash, request.client.clientId, now, tx);
      if (!consumed) return null;
      const scope = narrowScope(consumed.scope, request.scope);
      // RFC 6749 §6: the new refresh token's scope is identical to the presented one's.
      await this.refreshTokens.create(this.refreshRow(next, consumed.grant, consumed.scope, now), tx);
      return { grant: consumed.grant, scope };
    });
  }

  private mayRefresh(client: RegisteredClient): boolean {
    return client.metadata.grant_types.includes(REFRESH_TOKEN);
  }

  private refreshRow(token: string, grant: GrantRecord, scope: string, now: Date) {
    return {
      tokenHash: hashToken(token),
      grantId: grant.id,
      clientId: grant.clientId,
      scope,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.config.tokens.refreshTokenTtlSeconds * 1000),
    };
  }

  private async respond(t: {
    client: RegisteredClient; grant: GrantRecord | null; subject: string; scope: string; authTime: Date | null;
    amr: string[]; nonce: string | null; claims: Record<string, unknown>; refreshToken: string | null; now: Date;
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
      },
      'at+jwt',
    );
    const response: TokenResponse = { access_token: accessToken, token_type: 'Bearer', expires_in: ttl, scope: t.scope };
    if (t.grant && t.scope.split(' ').includes('openid')) {
      response.id_token = await this.idToken(t.client, t.subject, iat, authTime ?? iat, t.amr, t.nonce, accessToken, t.claims);
    }
    if (t.refreshToken) response.refresh_token = t.refreshToken;
    return response;
  }

  /** OpenID Connect Core §2 and §3.1.3.6. */
  private idToken(
    client: RegisteredClient, subject: string, iat: number, authTime: number, amr: string[], nonce: string | null,
    accessToken: string, claims: Record<string, unknown>,
  ): Promise<string> {
    const alg = client.metadata.id_token_signed_response_alg ?? 'RS256';
    // at_hash: left half of the SHA-256 of the access token (both RS256 and HS256 use SHA-256).
    const atHash = createHash('sha256').update(accessToken, 'ascii').digest().subarray(0, 16).toString('base64url');
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
      at_hash: atHash,
      ...(nonce ? { nonce } : {}),
    };
    return this.protector.protect(client, payload, {
      signAlg: alg,
      encAlg: client.metadata.id_token_encrypted_response_alg,
      encEnc: client.metadata.id_token_encrypted_response_enc,
    });
  }
}

/** RFC 6749 §6: the new scope must not include any scope not originally granted. */
function narrowScope(granted: string, requested: string | undefined): string {
  if (requested === undefined || requested.trim() === '') return granted;
  const allowed = granted.split(' ');
  const asked = [...new Set(requested.split(' ').filter(Boolean))];
  if (asked.some((s) => !allowed.includes(s))) {
    throw new OAuthError('invalid_scope', 'The requested scope exceeds the scope originally granted.');
  }
  return asked.join(' ');
}
