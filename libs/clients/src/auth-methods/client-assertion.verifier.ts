import { Inject, Injectable } from '@nestjs/common';
import { decodeJwt, decodeProtectedHeader, errors, JWK, JWTPayload, jwtVerify } from 'jose';

import { APP_CONFIG, AppConfig, Clock, routeUrl } from '@app/config';
import { UsedIdentifierRepository } from '@app/persistence';

import { RegisteredClient } from '../client';
import { ClientJwtType, hasOnlyAudiences, isUntypedOr } from '../client-jwt';
import { PresentedCredential } from './client-auth-handler';
import { clientAuthFailed } from './client-auth-failure';
import { ClientAuthInput, hasParam, JWT_BEARER_ASSERTION_TYPE } from './client-auth-input';

/** ubisecure-notes §4: exp at most 60 minutes ahead; it also bounds how long a jti is kept. */
const MAX_LIFETIME_SECONDS = 60 * 60;
/** Tolerated difference between the client's clock and ours. */
const CLOCK_SKEW_SECONDS = 60;
const MAX_JTI_LENGTH = 512;
/**
 * Claims only an authorization request carries (CONTRACT "Recorded details"): a JWT with one is
 * a request object, never a client assertion (RFC 9101 §10.8, RFC 8725 §3.12).
 */
const AUTHORIZATION_REQUEST_CLAIMS = ['response_type', 'redirect_uri', 'scope'] as const;

/** A key to verify an assertion with: a public JWK (RS256) or the secret's bytes (HS256). */
export type AssertionKey = JWK | Uint8Array;

/**
 * Client assertions (RFC 7521, RFC 7523 §3) for client_secret_jwt and private_key_jwt: which
 * request carries one with which alg, and the checks once the method has chosen the keys.
 */
@Injectable()
export class ClientAssertionVerifier {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly usedIdentifiers: UsedIdentifierRepository,
  ) {}

  /**
   * The assertion in `input` when it is a JWT bearer assertion whose header names `alg`, else
   * null. The client is the unverified `sub`; verify() proves it.
   */
  read({ params }: ClientAuthInput, alg: string): PresentedCredential | null {
    if (params.client_assertion_type !== JWT_BEARER_ASSERTION_TYPE) return null;
    if (!hasParam(params, 'client_assertion')) return null;
    const assertion = params.client_assertion;
    if (protectedHeader(assertion)?.alg !== alg) return null;
    const { sub } = unverifiedClaims(assertion);
    if (typeof sub !== 'string' || sub === '') {
      throw clientAuthFailed('client assertion without sub');
    }
    return { clientId: sub, proof: assertion };
  }

  /** The `kid` of the assertion's header, if it names one. */
  keyId(assertion: string): string | undefined {
    const kid = protectedHeader(assertion)?.kid;
    return typeof kid === 'string' ? kid : undefined;
  }

  /**
   * Throws invalid_client unless `assertion` is a client assertion signed with `alg` by one of
   * `keys` whose claims hold for `client`; then spends its jti, so it works once, and never
   * again as a request object.
   */
  async verify(
    assertion: string,
    keys: readonly AssertionKey[],
    alg: string,
    client: RegisteredClient,
  ): Promise<void> {
    const registeredAlg = client.metadata.token_endpoint_auth_signing_alg;
    if (registeredAlg !== undefined && registeredAlg !== alg) {
      throw clientAuthFailed(`assertion alg ${alg}, client registered ${registeredAlg}`);
    }
    // RFC 8725 §3.11: a JWT typed for another purpose (a request object, an access token, a
    // logout token) is not a client assertion, whoever signed it.
    if (!isUntypedOr(protectedHeader(assertion) ?? {}, ClientJwtType.ClientAssertion)) {
      throw clientAuthFailed('client assertion typ is not JWT');
    }
    const claims = await this.verifySignedClaims(assertion, keys, alg, client.clientId);
    this.checkPurpose(claims);
    const { exp, jti } = this.checkTimesAndJti(claims);
    // The jti is kept past the last moment any instance accepts the assertion: exp rounded up
    // (a fractional exp is accepted until the whole second after it) plus the clock skew
    // between instances, so a replay never finds the record gone (RFC 7523 §3: jti single use).
    const expiresAt = new Date((Math.ceil(exp) + CLOCK_SKEW_SECONDS) * 1000);
    const now = this.clock.now();
    if (!(await this.usedIdentifiers.claimClientJwtId(client.clientId, jti, expiresAt, now))) {
      throw clientAuthFailed('client assertion jti already used');
    }
  }

  /** RFC 7523 §3: signature, iss = sub = client_id, aud names us, exp and jti present. */
  private async verifySignedClaims(
    assertion: string,
    keys: readonly AssertionKey[],
    alg: string,
    clientId: string,
  ): Promise<JWTPayload> {
    if (keys.length === 0) throw clientAuthFailed('no usable key for the client assertion');
    for (const [index, key] of keys.entries()) {
      try {
        const { payload } = await jwtVerify(assertion, key, {
          // Exactly the method's algorithm: never none, never HMAC keyed with a public key
          // (RFC 8725 §3.1, §3.2).
          algorithms: [alg],
          issuer: clientId,
          subject: clientId,
          audience: this.audiences(),
          requiredClaims: ['exp', 'jti'],
          currentDate: this.clock.now(),
          clockTolerance: CLOCK_SKEW_SECONDS,
        });
        return payload;
      } catch (error) {
        // Without a kid any of the client's keys may have signed: only a bad signature moves on.
        const isLastKey = index === keys.length - 1;
        if (isLastKey || !(error instanceof errors.JWSSignatureVerificationFailed)) {
          throw clientAuthFailed(`client assertion rejected: ${reasonOf(error)}`);
        }
      }
    }
    throw clientAuthFailed('no usable key for the client assertion');
  }

  /**
   * Every audience is ours (jwtVerify settles for one), and the JWT is no authorization request:
   * the rules of client assertions and request objects exclude each other (RFC 8725 §3.12).
   */
  private checkPurpose(claims: JWTPayload): void {
    if (!hasOnlyAudiences(claims.aud, this.audiences())) {
      throw clientAuthFailed('client assertion aud names someone else too');
    }
    const requestClaim = AUTHORIZATION_REQUEST_CLAIMS.find((name) => Object.hasOwn(claims, name));
    if (requestClaim !== undefined) {
      throw clientAuthFailed(`client assertion carries ${requestClaim}: a request object`);
    }
  }

  /** exp in the future but at most an hour ahead; iat not in the future; a usable jti. */
  private checkTimesAndJti(claims: JWTPayload): { exp: number; jti: string } {
    const now = this.clock.nowSeconds();
    const { exp, iat, jti } = claims;
    // Stricter than jwtVerify, which lets exp pass within the clock tolerance.
    if (typeof exp !== 'number' || exp <= now) throw clientAuthFailed('client assertion expired');
    if (exp > now + MAX_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS) {
      throw clientAuthFailed('client assertion exp more than 60 minutes ahead');
    }
    if (iat !== undefined && iat > now + CLOCK_SKEW_SECONDS) {
      throw clientAuthFailed('client assertion iat in the future');
    }
    if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH) {
      throw clientAuthFailed('client assertion jti missing or unusable');
    }
    return { exp, jti };
  }

  /**
   * The issuer (as draft-ietf-oauth-rfc7523bis asks) or the token endpoint URL (RFC 7523 §3, as
   * the original product accepts), at every endpoint: CONTRACT "Recorded details".
   */
  private audiences(): string[] {
    return [this.config.issuer.url, routeUrl(this.config, 'token')];
  }
}

function protectedHeader(assertion: string): Record<string, unknown> | null {
  try {
    return decodeProtectedHeader(assertion);
  } catch {
    return null;
  }
}

function unverifiedClaims(assertion: string): JWTPayload {
  try {
    return decodeJwt(assertion);
  } catch {
    throw clientAuthFailed('client assertion is not a JWT');
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof errors.JOSEError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
