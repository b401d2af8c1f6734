import { Injectable } from '@nestjs/common';

import { RegisteredClient } from '../client';
import { ClientAuthMethod } from '../client-auth-method';
import { ClientAuthHandler, PresentedCredential } from './client-auth-handler';
import { clientAuthFailed } from './client-auth-failure';
import { CLIENT_AUTH_ENDPOINTS, ClientAuthInput, isBasicAuthorization } from './client-auth-input';
import { matchesClientSecret } from './client-secret';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Stateless with fatal: true and no stream option, so one instance serves every request. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** client_secret_basic: client_id and secret in an HTTP Basic header (RFC 6749 §2.3.1). */
@Injectable()
export class ClientSecretBasicMethod implements ClientAuthHandler {
  readonly method = ClientAuthMethod.ClientSecretBasic;
  readonly endpoints = CLIENT_AUTH_ENDPOINTS;

  read({ authorization }: ClientAuthInput): PresentedCredential | null {
    if (!isBasicAuthorization(authorization)) return null;
    const userPass = decodeBase64Utf8(authorization.slice('Basic'.length).trim());
    const colon = userPass.indexOf(':');
    if (colon < 0) throw clientAuthFailed('Basic credentials without a colon');
    // RFC 6749 §2.3.1: both parts are application/x-www-form-urlencoded before base64.
    const clientId = formUrlDecode(userPass.slice(0, colon));
    if (clientId === '') throw clientAuthFailed('Basic credentials with an empty client_id');
    return { clientId, proof: formUrlDecode(userPass.slice(colon + 1)) };
  }

  async verify(client: RegisteredClient, credential: PresentedCredential): Promise<void> {
    if (!matchesClientSecret(client, credential.proof)) {
      throw clientAuthFailed('wrong client secret (Basic)');
    }
  }
}

function decodeBase64Utf8(encoded: string): string {
  if (encoded === '' || !BASE64.test(encoded)) {
    throw clientAuthFailed('Basic credentials are not base64');
  }
  try {
    return UTF8.decode(Buffer.from(encoded, 'base64'));
  } catch {
    throw clientAuthFailed('Basic credentials are not UTF-8');
  }
}

function formUrlDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    throw clientAuthFailed('Basic credentials are not form-urlencoded');
  }
}
