import { Provider } from '@nestjs/common';

import { ClientAuthenticator } from '../client-authenticator';
import { ClientAssertionVerifier } from './client-assertion.verifier';
import { CLIENT_AUTH_HANDLERS, ClientAuthHandler } from './client-auth-handler';
import { ClientSecretBasicMethod } from './client-secret-basic.method';
import { ClientSecretJwtMethod } from './client-secret-jwt.method';
import { ClientSecretPostMethod } from './client-secret-post.method';
import { JwksUriCache } from './jwks-uri.cache';
import { NoneMethod } from './none.method';
import { PrivateKeyJwtMethod } from './private-key-jwt.method';

/** One line per token_endpoint_auth_method: adding one is a method file and a line here. */
export const CLIENT_AUTH_METHODS: (new (...args: never[]) => ClientAuthHandler)[] = [
  ClientSecretPostMethod,
  ClientSecretBasicMethod,
  ClientSecretJwtMethod,
  PrivateKeyJwtMethod,
  NoneMethod,
];

/** What ClientsModule provides for client authentication. */
export const CLIENT_AUTH_PROVIDERS: Provider[] = [
  ClientAssertionVerifier,
  JwksUriCache,
  ...CLIENT_AUTH_METHODS,
  {
    provide: CLIENT_AUTH_HANDLERS,
    useFactory: (...handlers: ClientAuthHandler[]) => handlers,
    inject: CLIENT_AUTH_METHODS,
  },
  ClientAuthenticator,
];
