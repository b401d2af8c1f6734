import { Injectable } from '@nestjs/common';

import {
  AuthorizationCodeService,
  pkceVerifierMatches,
  RedeemedAuthorizationCode,
} from '@app/authorization';
import { GrantType } from '@app/clients';
import { OAuthError } from '@app/errors';
import { TokenResponse, TokenService } from '@app/tokens';

import { GrantHandler, requireParam, TokenParams, TokenRequest } from '../grant-handler';

/** RFC 6749 §4.1.3 with PKCE (RFC 7636 §4.5, §4.6); the code is single-use and bound to the client. */
@Injectable()
export class AuthorizationCodeGrant implements GrantHandler {
  readonly grantType = GrantType.AuthorizationCode;
  readonly parameters = ['code', 'redirect_uri', 'code_verifier'] as const;

  constructor(
    private readonly codes: AuthorizationCodeService,
    private readonly tokens: TokenService,
  ) {}

  async handle({ client, params, clientAddress }: TokenRequest): Promise<TokenResponse> {
    const code = requireParam(params, 'code');
    // Consumed first, whatever follows: a code that failed a check cannot be tried again.
    return this.codes.redeem(code, client, clientAddress ?? null, (redeemed) => {
      checkRedirectUri(redeemed, params);
      checkCodeVerifier(redeemed, params);
      return this.tokens.issue({
        client,
        grantId: redeemed.grantId,
        subject: redeemed.userId,
        userId: redeemed.userId,
        scope: redeemed.scope,
        authTime: redeemed.authTime,
        amr: redeemed.amr,
        nonce: redeemed.nonce,
        requestedClaims: redeemed.requestedClaims,
        sessionId: redeemed.sessionId,
      });
    });
  }
}

/** RFC 6749 §4.1.3: redirect_uri is required, and identical, when the authorization request had it. */
function checkRedirectUri(redeemed: RedeemedAuthorizationCode, params: TokenParams): void {
  const sent = params.redirect_uri;
  if (sent === undefined ? redeemed.redirectUriSent : sent !== redeemed.redirectUri) {
    throw new OAuthError(
      'invalid_grant',
      'The redirect_uri does not match the authorization request.',
    );
  }
}

/**
 * RFC 7636 §4.6: the verifier must match the challenge. A verifier for a code issued without a
 * challenge fails too (RFC 9700 §2.1.1: it reveals a PKCE downgrade).
 */
function checkCodeVerifier(redeemed: RedeemedAuthorizationCode, params: TokenParams): void {
  const verifier = params.code_verifier;
  const { codeChallenge, codeChallengeMethod } = redeemed;
  const matches =
    codeChallenge === null || codeChallengeMethod === null
      ? verifier === undefined
      : verifier !== undefined && pkceVerifierMatches(verifier, codeChallenge, codeChallengeMethod);
  if (!matches)
    throw new OAuthError('invalid_grant', 'The code_verifier does not match the code challenge.');
}
