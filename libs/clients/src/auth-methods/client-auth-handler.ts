import { RegisteredClient } from '../client';
import { ClientAuthMethod } from '../client-auth-method';
import { ClientAuthEndpoint, ClientAuthInput } from './client-auth-input';

/** The credentials of one method as read from a request, before the client is known. */
export interface PresentedCredential {
  /** The client the request claims to be. */
  readonly clientId: string;
  /** The secret or the assertion; empty for `none`. */
  readonly proof: string;
}

/**
 * One token_endpoint_auth_method: how its credentials look and how they are checked. Each
 * implementation is one `<method>.method.ts` file, listed in CLIENT_AUTH_METHODS.
 */
export interface ClientAuthHandler {
  readonly method: ClientAuthMethod;
  /** Where a client may use the method. */
  readonly endpoints: readonly ClientAuthEndpoint[];
  /** The JWS algorithm of its client assertions (the JWT methods). */
  readonly signingAlg?: string;
  /**
   * The request's credentials for this method, or null when it carries none of this method's.
   * Throws invalid_client when they are present but malformed.
   */
  read(input: ClientAuthInput): PresentedCredential | null;
  /**
   * Throws invalid_client unless `credential` proves it comes from `client`, which the caller
   * has already found registered for this method.
   */
  verify(
    client: RegisteredClient,
    credential: PresentedCredential,
    endpoint: ClientAuthEndpoint,
  ): Promise<void>;
}

/** Injection token of the handler list. */
export const CLIENT_AUTH_HANDLERS = Symbol('ClientAuthHandlers');
