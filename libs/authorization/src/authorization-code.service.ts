import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';

import { APP_CONFIG, AppConfig, Clock } from '@app/config';
import { hashToken, randomToken } from '@app/crypto';
import { OAuthError } from '@app/errors';
import {
  AuditLog,
  AuthorizationCodeRepository,
  ConsumedAuthorizationCode,
  GrantRepository,
  RequestedClaims,
} from '@app/persistence';

import { AuthorizationRequest } from './authorization-request';
import { LoginSession } from './login-session.service';
import { PkceMethod } from './pkce';

/** A code that was just redeemed: what it was bound to, and the id its grant must get. */
export interface RedeemedAuthorizationCode {
  readonly grantId: string;
  readonly userId: string;
  readonly redirectUri: string;
  /** Whether the authorization request named redirect_uri (then the token request must repeat it). */
  readonly redirectUriSent: boolean;
  readonly scope: readonly string[];
  readonly nonce: string | null;
  readonly codeChallenge: string | null;
  readonly codeChallengeMethod: PkceMethod | null;
  readonly authTime: Date;
  readonly amr: readonly string[];
  /** The claims the request asked for one by one (OpenID Connect Core §5.5); null when none. */
  readonly requestedClaims: RequestedClaims | null;
  /** The login session (`sid`) the code was issued in: the grant ends with it unless offline_access. */
  readonly sessionId: string | null;
}

/**
 * Authorization codes (RFC 6749 §4.1.2): 256 random bits, stored as SHA-256, bound to the
 * client, redirect URI, PKCE challenge, nonce, scope and session, alive CODE_TTL_SECONDS,
 * redeemed once.
 */
@Injectable()
export class AuthorizationCodeService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly codes: AuthorizationCodeRepository,
    private readonly grants: GrantRepository,
    private readonly audit: AuditLog,
  ) {}

  /** A new code for `request`, signed in by `session`. */
  async issue(request: AuthorizationRequest, session: LoginSession): Promise<string> {
    const code = randomToken(32);
    const now = this.clock.now();
    await this.codes.create({
      codeHash: hashToken(code),
      clientId: request.client.clientId,
      userId: session.userId,
      redirectUri: request.redirectUri,
      redirectUriSent: request.redirectUriSent,
      scope: request.scope.join(' '),
      nonce: request.nonce,
      codeChallenge: request.codeChallenge,
      codeChallengeMethod: request.codeChallengeMethod,
      authTime: session.authTime,
      amr: [...session.amr],
      sessionIdHash: session.idHash,
      sid: session.sid,
      requestedClaims: request.requestedClaims ?? null,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.config.tokens.codeTtlSeconds * 1000),
    });
    return code;
  }

  /**
   * Consumes `code` for `clientId` and runs `issueTokens` with it, whose grant must take the
   * code's `grantId`. invalid_grant for an unknown, expired, foreign or used code; a used code
   * presented again also revokes every token issued from it (RFC 6749 §4.1.2), even when the
   * two redemptions raced. `clientAddress` is the HTTP client's, for the replay's audit event;
   * `client.tokenGeneration` the generation the tokens are minted in.
   */
  async redeem<T>(
    code: string,
    client: { clientId: string; tokenGeneration: number },
    clientAddress: string | null,
    issueTokens: (redeemed: RedeemedAuthorizationCode) => Promise<T>,
  ): Promise<T> {
    const { clientId } = client;
    const codeHash = hashToken(code);
    const consumed = await this.codes.consume(codeHash, clientId, randomUUID(), this.clock.now());
    if (!consumed) {
      await this.revokeReplayed(codeHash, clientId, clientAddress);
      // Same answer for unknown, expired, used and foreign codes: never say which.
      throw invalidCode();
    }
    const result = await issueTokens(toRedeemed(consumed));
    // A replay that arrived before the grant existed could not revoke it; this one can. So can a
    // session ending or a client's revoke-all that committed while the grant was being made.
    const stands =
      !(await this.codes.isReplayed(codeHash)) &&
      (await this.codes.grantStillStands(
        clientId,
        client.tokenGeneration,
        consumed.sid,
        this.clock.now(),
      ));
    if (!stands) {
      await this.grants.revoke(consumed.grantId, this.clock.now());
      throw invalidCode();
    }
    return result;
  }

  private async revokeReplayed(
    codeHash: Buffer,
    clientId: string,
    clientAddress: string | null,
  ): Promise<void> {
    const replayed = await this.codes.markReplayed(codeHash, clientId, this.clock.now());
    if (!replayed) return;
    if (replayed.grantId) await this.grants.revoke(replayed.grantId, this.clock.now());
    // RFC 6749 §4.1.2: a code used twice is a sign of theft, worth a security team's look.
    await this.audit.recordQuietly({
      type: 'authorization_code.replayed',
      outcome: 'failure',
      clientId,
      ip: clientAddress,
      details: { grant_id: replayed.grantId },
    });
  }
}

function toRedeemed(code: ConsumedAuthorizationCode): RedeemedAuthorizationCode {
  return {
    grantId: code.grantId,
    userId: code.userId,
    redirectUri: code.redirectUri,
    redirectUriSent: code.redirectUriSent,
    scope: code.scope.split(' ').filter(Boolean),
    nonce: code.nonce,
    codeChallenge: code.codeChallenge,
    codeChallengeMethod: code.codeChallengeMethod as PkceMethod | null,
    authTime: code.authTime,
    amr: code.amr,
    requestedClaims: code.requestedClaims,
    sessionId: code.sid,
  };
}

function invalidCode(): OAuthError {
  return new OAuthError('invalid_grant', 'The authorization code is invalid.');
}
