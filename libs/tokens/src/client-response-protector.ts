import { Injectable, Logger } from '@nestjs/common';

import { JwksUriCache, RegisteredClient } from '@app/clients';
import { OAuthError } from '@app/errors';
import { encryptJwe, KeyStore } from '@app/keys';

import { signForClient } from './client-jose';

/** How a client asked for a JWT to be protected (its id_token_* or userinfo_* metadata). */
export interface ProtectionProfile {
  readonly signAlg: string;
  readonly encAlg?: string;
  readonly encEnc?: string;
  /** The JWS `typ` (RFC 8725 §3.11 explicit typing), `JWT` unless the token kind has its own. */
  readonly typ?: string;
}

/**
 * Signs a JWT for a client, then encrypts it to the client when it registered an encryption
 * algorithm (OpenID Connect Core §10.1-§10.2, Registration §2: sign then encrypt, a nested JWT).
 */
@Injectable()
export class ClientResponseProtector {
  private readonly logger = new Logger('ClientResponseProtector');

  constructor(
    private readonly keys: KeyStore,
    private readonly jwksUris: JwksUriCache,
  ) {}

  async protect(
    client: RegisteredClient,
    payload: Record<string, unknown>,
    profile: ProtectionProfile,
  ): Promise<string> {
    const signed = await signForClient(this.keys, client, profile.signAlg, payload, profile.typ);
    if (!profile.encAlg) return signed;
    try {
      return await encryptJwe(signed, {
        alg: profile.encAlg,
        enc: profile.encEnc,
        jwks: await this.clientJwks(client, profile.encAlg),
        clientSecret: client.secret,
        contentType: 'JWT',
      });
    } catch (error) {
      // The admin API refuses clients without a usable key; a client whose jwks_uri stopped
      // answering or lost its key is a fault on its side we cannot mend here.
      this.logger.warn(
        `cannot encrypt to client ${client.clientId}: ${error instanceof Error ? error.message : String(error)}`,
      );
      throw new OAuthError('server_error', 'The response could not be encrypted to the client.');
    }
  }

  private async clientJwks(
    client: RegisteredClient,
    alg: string,
  ): Promise<{ keys: Record<string, unknown>[] } | undefined> {
    if (!alg.startsWith('RSA')) return undefined;
    if (client.metadata.jwks) return client.metadata.jwks;
    if (client.metadata.jwks_uri)
      return {
        keys: [...(await this.jwksUris.keys(client.metadata.jwks_uri))] as Record<
          string,
          unknown
        >[],
      };
    return undefined;
  }
}
