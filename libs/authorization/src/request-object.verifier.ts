import { Inject, Injectable } from '@nestjs/common';
import { decodeProtectedHeader, errors, JWK, JWTPayload, jwtVerify } from 'jose';

import {
  ClientJwtType,
  hasOnlyAudiences,
  isUntypedOr,
  JwksUriCache,
  RegisteredClient,
} from '@app/clients';
import { APP_CONFIG, AppConfig, Clock } from '@app/config';
import { OAuthError } from '@app/errors';
import { decryptJwe, DEFAULT_JWE_ENC, JoseSupport, KeyStore } from '@app/keys';
import { UsedIdentifierRepository } from '@app/persistence';

/** Tolerated difference between the client's clock and ours. */
const CLOCK_SKEW_SECONDS = 60;
/** How long the jti of a request object without exp stays spent. */
const JTI_RETENTION_SECONDS = 24 * 60 * 60;
/** ECMAScript's last date (ECMA-262 §21.4.1.1), 275760-09-13. */
const MAX_DATE_MS = 8.64e15;
const MAX_JTI_LENGTH = 512;
const HS256 = 'HS256';

/**
 * Request objects passed by value (OpenID Connect Core §6.1, RFC 9101): decrypted when they are
 * a JWE, then verified as a JWS signed by the client with exactly the algorithm it registered
 * (RS256 or HS256 when it registered none; never `none`), typed `oauth-authz-req+jwt` or not at
 * all, with `iss` the client, `aud` the issuer alone, no `sub` naming the client, `exp` honoured
 * and `jti` spent once, in the record client assertions share.
 */
@Injectable()
export class RequestObjectVerifier {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly keys: KeyStore,
    private readonly jwksUris: JwksUriCache,
    private readonly usedIdentifiers: UsedIdentifierRepository,
  ) {}

  /** The verified claims of `requestObject`; invalid_request_object for anything wrong with it. */
  async verify(requestObject: string, client: RegisteredClient): Promise<JWTPayload> {
    const jws = await this.decryptIfEncrypted(requestObject, client);
    const claims = await this.verifySignature(jws, client);
    checkPurpose(claims, client, this.config.issuer.url);
    await this.spendJti(claims, client);
    return claims;
  }

  /**
   * A JWE (five parts) is decrypted with our key or the client's secret, with the algorithms the
   * client registered. OpenID Connect Dynamic Client Registration §2: a client that registered
   * request_object_encryption_alg may still send an object that is only signed.
   */
  private async decryptIfEncrypted(
    requestObject: string,
    client: RegisteredClient,
  ): Promise<string> {
    const { request_object_encryption_alg: alg, request_object_encryption_enc: enc } =
      client.metadata;
    if (requestObject.split('.').length !== 5) return requestObject;
    const { plaintext } = await decryptJwe(requestObject, {
      allowedAlgs: allowedBy(alg, JoseSupport.requestObjectEncryptionAlgs),
      allowedEncs: allowedBy(
        alg ? (enc ?? DEFAULT_JWE_ENC) : undefined,
        JoseSupport.requestObjectEncryptionEncs,
      ),
      serverKey: await this.keys.decryptionKey(),
      clientSecret: client.secret,
    });
    return plaintext;
  }

  private async verifySignature(jws: string, client: RegisteredClient): Promise<JWTPayload> {
    const header = protectedHeader(jws);
    const alg = header?.alg;
    const allowed = allowedBy(
      client.metadata.request_object_signing_alg,
      JoseSupport.requestObjectSigning,
    );
    if (typeof alg !== 'string' || !allowed.includes(alg))
      throw rejected(`signature alg ${String(alg)} not accepted`);
    // RFC 8725 §3.11, RFC 9101 §10.8: a JWT typed for another purpose (a client assertion's JWT,
    // an access token, a logout token) is not a request object.
    if (!isUntypedOr(header ?? {}, ClientJwtType.RequestObject))
      throw rejected(`typ ${String(header?.typ)} is not a request object's`);
    const kid = typeof header?.kid === 'string' ? header.kid : undefined;
    const keys = alg === HS256 ? secretKeys(client) : await this.rsaKeys(client, kid);
    if (keys.length === 0) throw rejected(`no ${alg} key for the client`);
    for (const [index, key] of keys.entries()) {
      try {
        const { payload } = await jwtVerify(jws, key, {
          // Exactly one algorithm: never none, never HMAC keyed with a public key (RFC 8725 §3.1, §3.2).
          algorithms: [alg],
          issuer: client.clientId,
          audience: this.config.issuer.url,
          currentDate: this.clock.now(),
          clockTolerance: CLOCK_SKEW_SECONDS,
        });
        return payload;
      } catch (error) {
        // Without a kid any of the client's keys may have signed: only a bad signature moves on.
        const otherKeyMayMatch =
          error instanceof errors.JWSSignatureVerificationFailed && index < keys.length - 1;
        if (!otherKeyMayMatch) throw rejected(`verification failed: ${reasonOf(error)}`);
      }
    }
    throw rejected('no key verified the signature');
  }

  /** The client's RSA signing keys (`jwks`, or `jwks_uri` refetched once for an unknown kid). */
  private async rsaKeys(client: RegisteredClient, kid: string | undefined): Promise<JWK[]> {
    const { jwks, jwks_uri: jwksUri } = client.metadata;
    if (jwks) return rsaSigningKeys(jwks.keys, kid);
    if (!jwksUri) return [];
    try {
      const cached = rsaSigningKeys(await this.jwksUris.keys(jwksUri), kid);
      if (cached.length > 0 || kid === undefined) return cached;
      return rsaSigningKeys(await this.jwksUris.keys(jwksUri, { refresh: true }), kid);
    } catch (error) {
      if (error instanceof OAuthError)
        throw rejected(`client jwks_uri not usable: ${error.options.detail ?? error.code}`);
      throw error;
    }
  }

  /** RFC 9101 §10.8 and ubisecure-notes §16.3: a request object with a jti is accepted once. */
  private async spendJti(claims: JWTPayload, client: RegisteredClient): Promise<void> {
    const { jti, exp } = claims;
    if (jti === undefined) return;
    if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH)
      throw rejected('jti unusable');
    const now = this.clock.now();
    const keepUntil =
      typeof exp === 'number'
        ? // Rounded up: a fractional exp is accepted until the whole second after it.
          (Math.ceil(exp) + CLOCK_SKEW_SECONDS) * 1000
        : now.getTime() + JTI_RETENTION_SECONDS * 1000;
    // An exp no date can hold (milliseconds where RFC 7519 §2 says seconds) would keep the jti
    // until an invalid date, which the database refuses: the object is refused instead.
    if (!(keepUntil <= MAX_DATE_MS)) throw rejected('exp is past any representable date');
    // One record with client assertions' jti: a JWT spent as one is refused as the other (RFC 8725 §3.12).
    const first = await this.usedIdentifiers.claimClientJwtId(
      client.clientId,
      jti,
      new Date(keepUntil),
      now,
    );
    if (!first) throw rejected('jti already used');
  }
}

/**
 * The rules that keep request objects and client assertions apart (RFC 8725 §3.12): `aud` is the
 * issuer and nothing else (an object also meant for the token endpoint could pass as an
 * assertion), and `sub` is not the client (RFC 9101 §10.8: that is a client assertion's shape).
 */
function checkPurpose(claims: JWTPayload, client: RegisteredClient, issuer: string): void {
  if (!hasOnlyAudiences(claims.aud, [issuer])) throw rejected('aud names more than the issuer');
  if (claims.sub === client.clientId) throw rejected('sub is the client: a client assertion');
}

/** The registered value when there is one (and it is still implemented), else every implemented value. */
function allowedBy(
  registered: string | undefined,
  implemented: readonly string[],
): readonly string[] {
  return registered === undefined
    ? implemented
    : implemented.filter((value) => value === registered);
}

/** OpenID Connect Core §10.1: HS256 is keyed with the UTF-8 octets of the client secret. */
function secretKeys(client: RegisteredClient): Uint8Array[] {
  // A plain Uint8Array: jose checks key types with instanceof.
  return client.secret ? [new Uint8Array(Buffer.from(client.secret, 'utf8'))] : [];
}

/** Public RSA keys meant for signatures (`use` sig or absent, `alg` RS256 or absent), as bare {kty, n, e}. */
function rsaSigningKeys(keys: readonly Record<string, unknown>[], kid: string | undefined): JWK[] {
  return keys
    .filter((k) => k.kty === 'RSA' && typeof k.n === 'string' && typeof k.e === 'string')
    .filter((k) => k.use === undefined || k.use === 'sig')
    .filter((k) => k.alg === undefined || k.alg === 'RS256')
    .filter((k) => !Array.isArray(k.key_ops) || k.key_ops.includes('verify'))
    .filter((k) => kid === undefined || k.kid === kid)
    .map((k) => ({ kty: 'RSA', n: k.n as string, e: k.e as string }));
}

function protectedHeader(jws: string): Record<string, unknown> | null {
  if (jws.split('.').length !== 3) return null;
  try {
    return decodeProtectedHeader(jws);
  } catch {
    return null;
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof errors.JOSEError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** One public answer for every verification failure; `detail` says which, for the logs only. */
function rejected(detail: string): OAuthError {
  return new OAuthError('invalid_request_object', 'The request object is invalid.', { detail });
}
