import { Injectable } from '@nestjs/common';

import { CLIENT_AUTH_METHOD_ORDER, ClientAuthMethod } from './client-auth-method';

/** Authenticates clients at the token, introspection and revocation endpoints. */
@Injectable()
export class ClientAuthenticator {
  private readonly implemented = new Set<ClientAuthMethod>();

  /** The methods a client may register and use, in the seed's order. */
  methods(): ClientAuthMethod[] {
    return CLIENT_AUTH_METHOD_ORDER.filter((m) => this.implemented.has(m));
  }

  /** JWS algorithms accepted in client assertions (client_secret_jwt, private_key_jwt). */
  signingAlgs(): string[] {
    return [];
  }
}
