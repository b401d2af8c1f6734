import { Injectable } from '@nestjs/common';

import { RegisteredClient } from '../client';
import { ClientAuthMethod } from '../client-auth-method';
import { ClientAuthHandler, PresentedCredential } from './client-auth-handler';
import { clientAuthFailed } from './client-auth-failure';
import { CLIENT_AUTH_ENDPOINTS, ClientAuthInput, hasParam } from './client-auth-input';
import { matchesClientSecret } from './client-secret';

/** client_secret_post: client_id and client_secret in the form body (RFC 6749 §2.3.1). */
@Injectable()
export class ClientSecretPostMethod implements ClientAuthHandler {
  readonly method = ClientAuthMethod.ClientSecretPost;
  readonly endpoints = CLIENT_AUTH_ENDPOINTS;

  read({ params }: ClientAuthInput): PresentedCredential | null {
    if (!hasParam(params, 'client_secret')) return null;
    const clientId = params.client_id;
    if (!clientId) throw clientAuthFailed('client_secret without client_id');
    return { clientId, proof: params.client_secret };
  }

  async verify(client: RegisteredClient, credential: PresentedCredential): Promise<void> {
    if (!matchesClientSecret(client, credential.proof)) {
      throw clientAuthFailed('wrong client secret (form)');
    }
  }
}
