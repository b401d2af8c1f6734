import { Inject, Injectable } from '@nestjs/common';

import { APP_CONFIG, AppConfig } from '@app/config';
import { OAuthError } from '@app/errors';

import {
  CLIENT_AUTH_HANDLERS,
  ClientAuthHandler,
  PresentedCredential,
} from './auth-methods/client-auth-handler';
import { clientAuthFailed } from './auth-methods/client-auth-failure';
import {
  ClientAuthEndpoint,
  ClientAuthInput,
  hasParam,
  presentedMechanisms,
} from './auth-methods/client-auth-input';
import { RegisteredClient } from './client';
import { CLIENT_AUTH_METHOD_ORDER, ClientAuthMethod } from './client-auth-method';
import { ClientRegistry } from './client-registry.service';

/** A client that proved its identity, and how. */
export interface AuthenticatedClient {
  readonly client: RegisteredClient;
  readonly method: ClientAuthMethod;
}

/** token_endpoint_auth_signing_alg_values_supported, in the seed document's order. */
const SIGNING_ALG_ORDER: readonly string[] = ['RS256', 'HS256'];

/** Authenticates clients at the token, introspection and revocation endpoints. */
@Injectable()
export class ClientAuthenticator {
  private readonly handlers: readonly ClientAuthHandler[];

  constructor(
    private readonly registry: ClientRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLIENT_AUTH_HANDLERS) handlers: readonly ClientAuthHandler[],
  ) {
    const methods = new Set<ClientAuthMethod>();
    for (const handler of handlers) {
      if (methods.has(handler.method)) {
        throw new Error(`Two handlers for client authentication method ${handler.method}`);
      }
      methods.add(handler.method);
    }
    this.handlers = handlers;
  }

  /**
   * The client the request's credentials prove, using the one method the client registered.
   * invalid_request when the request mixes mechanisms (RFC 6749 §2.3); otherwise every failure
   * is the same 401 invalid_client, with a Basic challenge when a Basic header was sent.
   */
  async authenticate(input: ClientAuthInput): Promise<AuthenticatedClient> {
    assertOneMechanism(input);
    try {
      return await this.authenticateWith(input);
    } catch (error) {
      throw this.withChallenge(error, input);
    }
  }

  /**
   * The methods a client may register and use, in the seed's order; with `endpoint`, those
   * accepted there (what discovery lists per endpoint).
   */
  methods(endpoint?: ClientAuthEndpoint): ClientAuthMethod[] {
    return CLIENT_AUTH_METHOD_ORDER.filter((method) =>
      this.handlers.some(
        (h) => h.method === method && (endpoint === undefined || h.endpoints.includes(endpoint)),
      ),
    );
  }

  /** JWS algorithms accepted in client assertions (client_secret_jwt, private_key_jwt). */
  signingAlgs(): string[] {
    return SIGNING_ALG_ORDER.filter((alg) => this.handlers.some((h) => h.signingAlg === alg));
  }

  private async authenticateWith(input: ClientAuthInput): Promise<AuthenticatedClient> {
    const { handler, credential } = this.detect(input);
    if (!handler.endpoints.includes(input.endpoint)) {
      throw clientAuthFailed(`${handler.method} is not accepted at the ${input.endpoint} endpoint`);
    }
    if (hasParam(input.params, 'client_id') && input.params.client_id !== credential.clientId) {
      throw clientAuthFailed('client_id parameter differs from the authenticated client');
    }
    const client = await this.registry.findById(credential.clientId);
    if (!client) throw clientAuthFailed(`unknown client ${credential.clientId}`);
    const registered = client.metadata.token_endpoint_auth_method;
    if (registered !== handler.method) {
      throw clientAuthFailed(
        `client ${client.clientId} registered ${registered}, request used ${handler.method}`,
      );
    }
    await handler.verify(client, credential, input.endpoint);
    return { client, method: handler.method };
  }

  /** The one method whose credentials the request carries (assertOneMechanism made it unique). */
  private detect(input: ClientAuthInput): {
    handler: ClientAuthHandler;
    credential: PresentedCredential;
  } {
    for (const handler of this.handlers) {
      const credential = handler.read(input);
      if (credential) return { handler, credential };
    }
    throw clientAuthFailed('no supported client authentication in the request');
  }

  /** RFC 6749 §5.2: a client that tried the Authorization header gets a challenge of its scheme. */
  private withChallenge(error: unknown, input: ClientAuthInput): unknown {
    if (!(error instanceof OAuthError) || error.code !== 'invalid_client') return error;
    if (!presentedMechanisms(input).basic) return error;
    return new OAuthError(error.code, error.description, {
      ...error.options,
      challenge: `Basic realm="${this.config.issuer.url}"`,
    });
  }
}

/** RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each request." */
function assertOneMechanism(input: ClientAuthInput): void {
  const { basic, secret, assertion } = presentedMechanisms(input);
  if ([basic, secret, assertion].filter(Boolean).length > 1) {
    throw new OAuthError(
      'invalid_request',
      'The request uses more than one client authentication method.',
    );
  }
  // RFC 7521 §4.2: client_assertion and client_assertion_type go together.
  const { params } = input;
  if (hasParam(params, 'client_assertion') !== hasParam(params, 'client_assertion_type')) {
    throw new OAuthError('invalid_request', 'The client assertion parameters are incomplete.');
  }
}
