import { Injectable } from '@nestjs/common';

import { RegisteredClient } from '../client';
import { ClientAuthMethod } from '../client-auth-method';
import { ClientAssertionVerifier } from './client-assertion.verifier';
import { ClientAuthHandler, PresentedCredential } from './client-auth-handler';
import { clientAuthFailed } from './client-auth-failure';
import { CLIENT_AUTH_ENDPOINTS, ClientAuthInput } from './client-auth-input';

/** client_secret_jwt: a JWT assertion signed HS256 with the client secret (OIDC Core §9). */
@Injectable()
export class ClientSecretJwtMethod implements ClientAuthHandler {
  readonly method = ClientAuthMethod.ClientSecretJwt;
  readonly endpoints = CLIENT_AUTH_ENDPOINTS;
  readonly signingAlg = 'HS256';

  constructor(private readonly assertions: ClientAssertionVerifier) {}

  read(input: ClientAuthInput): PresentedCredential | null {
    return this.assertions.read(input, this.signingAlg);
  }

  async verify(client: RegisteredClient, credential: PresentedCredential): Promise<void> {
    if (!client.secret) throw clientAuthFailed('client has no secret to verify HS256 with');
    // OIDC Core §10.1: the HMAC key is the octets of the UTF-8 representation of the secret.
    const key = new TextEncoder().encode(client.secret);
    await this.assertions.verify(credential.proof, [key], this.signingAlg, client);
  }
}
