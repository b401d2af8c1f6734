import { Injectable } from '@nestjs/common';

import { RegisteredClient } from '../client';
import { ClientAuthMethod } from '../client-auth-method';
import { isPublicClient } from '../public-client';
import { ClientAuthHandler, PresentedCredential } from './client-auth-handler';
import { clientAuthFailed } from './client-auth-failure';
import { ClientAuthEndpoint, ClientAuthInput, presentedMechanisms } from './client-auth-input';

/**
 * none: a public client names itself with client_id and proves nothing (RFC 7591 §2). Not at
 * introspection, where the caller must be a confidential client (RFC 7662 §2.1).
 */
@Injectable()
export class NoneMethod implements ClientAuthHandler {
  readonly method = ClientAuthMethod.None;
  readonly endpoints: readonly ClientAuthEndpoint[] = ['token', 'revocation'];

  read(input: ClientAuthInput): PresentedCredential | null {
    const { basic, secret, assertion } = presentedMechanisms(input);
    if (basic || secret || assertion) return null;
    const clientId = input.params.client_id;
    // RFC 6749 §5.2: a request without any client authentication is invalid_client.
    if (!clientId) throw clientAuthFailed('no client authentication and no client_id');
    return { clientId, proof: '' };
  }

  async verify(client: RegisteredClient): Promise<void> {
    if (!isPublicClient(client)) throw clientAuthFailed('confidential client sent no credentials');
  }
}
