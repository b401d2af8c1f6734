import { ErrorRedirect, OAuthError, ResponseMode } from '@app/errors';

import { AuthorizationRequest } from './authorization-request';

/**
 * An answer for the client (RFC 6749 §4.1.2, §4.1.2.1): the parameters for its redirect URI, and
 * the response mode that carries them there.
 */
export interface AuthorizationResponse {
  readonly redirectUri: string;
  readonly responseMode: ResponseMode;
  readonly params: Readonly<Record<string, string>>;
}

/** RFC 6749 §4.1.2: the code, and the request's state. */
export function codeResponse(request: AuthorizationRequest, code: string): AuthorizationResponse {
  return {
    redirectUri: request.redirectUri,
    responseMode: request.responseMode,
    params: { code, ...(request.state !== null ? { state: request.state } : {}) },
  };
}

/** RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6: error, error_description and state. */
export function errorResponse(error: OAuthError, target: ErrorRedirect): AuthorizationResponse {
  return {
    redirectUri: target.redirectUri,
    responseMode: target.responseMode,
    params: {
      error: error.code,
      error_description: error.description,
      ...(target.state !== null ? { state: target.state } : {}),
    },
  };
}

/** Where the errors of a validated request go: its redirect URI, its state, its response mode. */
export function errorTargetOf(request: AuthorizationRequest): ErrorRedirect {
  return {
    redirectUri: request.redirectUri,
    state: request.state,
    responseMode: request.responseMode,
  };
}

/**
 * response_mode=query: the parameters appended to the registered URI as it is, keeping its own
 * query (RFC 6749 §3.1.2).
 */
export function responseLocation(response: AuthorizationResponse): string {
  const uri = response.redirectUri;
  const query = new URLSearchParams(response.params).toString();
  return `${uri}${uri.includes('?') ? '&' : '?'}${query}`;
}
