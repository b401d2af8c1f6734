import { Injectable } from '@nestjs/common';
import { JWK } from 'jose';

import { RegisteredClient } from '../client';
import { ClientAuthMethod } from '../client-auth-method';
import { ClientAssertionVerifier } from './client-assertion.verifier';
import { ClientAuthHandler, PresentedCredential } from './client-auth-handler';
import { CLIENT_AUTH_ENDPOINTS, ClientAuthInput } from './client-auth-input';
import { JwksUriCache } from './jwks-uri.cache';

/**
 * private_key_jwt: a JWT assertion signed RS256 with a key whose public half the client
 * registered in `jwks` or publishes at `jwks_uri` (OIDC Core §9, RFC 7523).
 */
@Injectable()
export class PrivateKeyJwtMethod implements ClientAuthHandler {
  readonly method = ClientAuthMethod.PrivateKeyJwt;
  readonly endpoints = CLIENT_AUTH_ENDPOINTS;
  readonly signingAlg = 'RS256';

  constructor(
    private readonly assertions: ClientAssertionVerifier,
    private readonly jwksUris: JwksUriCache,
  ) {}

  read(input: ClientAuthInput): PresentedCredential | null {
    return this.assertions.read(input, this.signingAlg);
  }

  async verify(client: RegisteredClient, credential: PresentedCredential): Promise<void> {
    const keys = await this.verificationKeys(client, this.assertions.keyId(credential.proof));
    await this.assertions.verify(credential.proof, keys, this.signingAlg, client);
  }

  /** The client's RSA signing keys; only the one named `kid` when the assertion names one. */
  private async verificationKeys(
    client: RegisteredClient,
    kid: string | undefined,
  ): Promise<JWK[]> {
    const { jwks, jwks_uri: jwksUri } = client.metadata;
    if (jwks) return rsaSigningKeys(jwks.keys, kid);
    if (!jwksUri) return [];
    const cached = rsaSigningKeys(await this.jwksUris.keys(jwksUri), kid);
    if (cached.length > 0 || kid === undefined) return cached;
    // An unknown kid may be a key the client has published since we fetched (key rotation).
    return rsaSigningKeys(await this.jwksUris.keys(jwksUri, { refresh: true }), kid);
  }
}

/** Public RSA signing keys (`use` sig or absent, `alg` RS256 or absent), as bare {kty, n, e}. */
function rsaSigningKeys(keys: readonly Record<string, unknown>[], kid: string | undefined): JWK[] {
  return keys
    .filter((k) => k.kty === 'RSA' && typeof k.n === 'string' && typeof k.e === 'string')
    .filter((k) => k.use === undefined || k.use === 'sig')
    .filter((k) => k.alg === undefined || k.alg === 'RS256')
    .filter((k) => !Array.isArray(k.key_ops) || k.key_ops.includes('verify'))
    .filter((k) => kid === undefined || k.kid === kid)
    .map((k) => ({ kty: 'RSA', n: k.n as string, e: k.e as string }));
}
