import { Injectable } from '@nestjs/common';
import { JWTPayload } from 'jose';

import {
  ClientRegistry,
  GrantType,
  isPublicClient,
  RegisteredClient,
  resolveScope,
} from '@app/clients';
import { ErrorRedirect, OAuthError, ResponseMode } from '@app/errors';
import { hasControlCharacter } from '@app/persistence';

import {
  AuthorizationInput,
  AuthorizationParams,
  AuthorizationRequest,
} from './authorization-request';
import { readClaimsRequest, withEssentialAcr } from './claims-request';
import { isPkceChallenge, isPkceMethod, PkceMethod } from './pkce';
import { isRegisteredRedirectUri } from './redirect-uri';
import { RequestObjectVerifier } from './request-object.verifier';

const RESPONSE_TYPE_CODE = 'code';
const RESPONSE_MODES: readonly string[] = Object.values(ResponseMode);
/** OIDC Core §3.1.2.1 prompt values; consent and select_account are accepted and need nothing here (ubisecure-notes §16.3). */
const PROMPT_VALUES = ['none', 'login', 'consent', 'select_account'];
/** Claims of a request object that are about the JWT itself, not authorization parameters. */
const JWT_CLAIMS = ['iss', 'aud', 'exp', 'iat', 'nbf', 'jti', 'sub'];
/** Parameters that must be strings when a request object carries them (max_age may be a number). */
const STRING_PARAMS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'nonce',
  'prompt',
  'ui_locales',
  'login_hint',
  'code_challenge',
  'code_challenge_method',
  'response_mode',
  'display',
  'acr_values',
];
const MAX_AGE = /^\d{1,9}$/;
const PARAMETER_NAME = /^[a-z_]{1,64}$/;

/**
 * Validates authorization requests (RFC 6749 §4.1.1, OIDC Core §3.1.2.2) in the order that
 * decides where errors go: the client and the redirect URI first, whose errors are shown to the
 * user and never redirected (RFC 6749 §4.1.2.1); every later error is redirected to the client.
 */
@Injectable()
export class AuthorizationRequestValidator {
  constructor(
    private readonly clients: ClientRegistry,
    private readonly requestObjects: RequestObjectVerifier,
  ) {}

  /** The request, or an OAuthError that carries `redirect` once the client and the redirect URI are established. */
  async validate(input: AuthorizationInput): Promise<AuthorizationRequest> {
    const { values: outer, repeated } = input;
    // 1. The client and 2. the redirect URI the outer request names: their errors are shown.
    const client = await this.findClient(outer, repeated);
    const outerRedirect = this.outerRedirect(client, outer, repeated);
    // 3. Repeats and the request object: redirected to the outer redirect URI, when it names one.
    const provisional: ErrorRedirect | null =
      outerRedirect === null
        ? null
        : {
            redirectUri: outerRedirect,
            state: repeated.includes('state') ? null : (outer.state ?? null),
            responseMode: repeated.includes('response_mode')
              ? ResponseMode.Query
              : deliveryMode(outer.response_mode),
          };
    const params = await redirectingTo(provisional, () =>
      this.withRequestObject(client, outer, repeated),
    );
    // 4. The redirect URI the request object may change: shown.
    const redirect = this.finalRedirect(client, params, outerRedirect);
    // 5. Everything else: redirected, with the state and in the response mode the request finally carries.
    const target: ErrorRedirect = {
      redirectUri: redirect.uri,
      state: params.state ?? null,
      responseMode: deliveryMode(params.response_mode),
    };
    return redirectingTo(target, () => this.checkRest(client, params, redirect));
  }

  private async findClient(
    params: AuthorizationParams,
    repeated: readonly string[],
  ): Promise<RegisteredClient> {
    if (repeated.includes('client_id'))
      throw invalidRequest('The client_id parameter is repeated.');
    if (params.client_id === undefined) throw invalidRequest('The client_id parameter is missing.');
    const client = await this.clients.findById(params.client_id);
    if (!client) throw new OAuthError('invalid_client', 'The client is not known.');
    return client;
  }

  /** The redirect URI the outer request names or implies; null when it names none and the client registered several. */
  private outerRedirect(
    client: RegisteredClient,
    params: AuthorizationParams,
    repeated: readonly string[],
  ): string | null {
    if (repeated.includes('redirect_uri'))
      throw invalidRequest('The redirect_uri parameter is repeated.');
    const registered = client.metadata.redirect_uris;
    if (params.redirect_uri === undefined) return registered.length === 1 ? registered[0] : null;
    if (!isRegisteredRedirectUri(params.redirect_uri, registered)) throw unregisteredRedirect();
    return params.redirect_uri;
  }

  /**
   * No repeats, no request_uri, and OIDC Core §6.3.3: the request object's parameters win; the
   * outer client_id and response_type must match it.
   */
  private async withRequestObject(
    client: RegisteredClient,
    outer: AuthorizationParams,
    repeated: readonly string[],
  ): Promise<AuthorizationParams> {
    if (repeated.length > 0) throw invalidRequest(repeatedDescription(repeated[0]));
    if (outer.request_uri !== undefined) {
      throw new OAuthError(
        'request_uri_not_supported',
        'The request_uri parameter is not supported.',
      );
    }
    const { request } = outer;
    if (request === undefined) {
      if (
        client.metadata.request_object_signing_alg ||
        client.metadata.request_object_encryption_alg
      ) {
        throw invalidRequest('This client must send its parameters in a request object.');
      }
      return outer;
    }
    const inner = requestObjectParams(await this.requestObjects.verify(request, client));
    if (inner.client_id !== undefined && inner.client_id !== outer.client_id) {
      throw mismatch('The client_id parameter does not match the request object.');
    }
    if (
      inner.response_type !== undefined &&
      outer.response_type !== undefined &&
      inner.response_type !== outer.response_type
    ) {
      throw mismatch('The response_type parameter does not match the request object.');
    }
    const merged: Record<string, string> = { ...outer, ...inner };
    delete merged.request;
    return merged;
  }

  /** The redirect URI after the request object: registered, else shown to the user. */
  private finalRedirect(
    client: RegisteredClient,
    params: AuthorizationParams,
    outerRedirect: string | null,
  ): { uri: string; sent: boolean } {
    const requested = params.redirect_uri;
    if (requested === undefined) {
      // RFC 6749 §3.1.2.3: only a client with exactly one registered URI may leave it out.
      if (outerRedirect !== null) return { uri: outerRedirect, sent: false };
      throw invalidRequest('The redirect_uri parameter is missing.');
    }
    if (!isRegisteredRedirectUri(requested, client.metadata.redirect_uris))
      throw unregisteredRedirect();
    return { uri: requested, sent: true };
  }

  /** Everything after the redirect URI is known; errors thrown here are redirected. */
  private checkRest(
    client: RegisteredClient,
    params: AuthorizationParams,
    redirect: { uri: string; sent: boolean },
  ): AuthorizationRequest {
    checkNoControlCharacters(params);
    checkResponseType(client, params);
    const responseMode = readResponseMode(params.response_mode);
    const scope = resolveScope(params.scope, client);
    const requestedClaims = readClaimsRequest(params.claims);
    const prompt = readPrompt(params.prompt);
    const maxAgeSeconds = readMaxAge(params.max_age);
    const pkce = readPkce(client, params);
    return {
      client,
      redirectUri: redirect.uri,
      redirectUriSent: redirect.sent,
      state: params.state ?? null,
      responseMode,
      scope,
      nonce: params.nonce ?? null,
      requestedClaims,
      promptNone: prompt.includes('none'),
      // OIDC Core §3.1.2.1 (errata): max_age=0 is equivalent to prompt=login.
      promptLogin: prompt.includes('login') || maxAgeSeconds === 0,
      maxAgeSeconds,
      uiLocales: params.ui_locales ?? null,
      loginHint: params.login_hint ?? null,
      acrValues: withEssentialAcr(params.acr_values ?? null, params.claims),
      codeChallenge: pkce.challenge,
      codeChallengeMethod: pkce.method,
    };
  }
}

/** Runs a step whose OAuthErrors go to `target` (RFC 6749 §4.1.2.1); with none, they are shown. */
async function redirectingTo<T>(
  target: ErrorRedirect | null,
  step: () => T | Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (target !== null && error instanceof OAuthError) throw error.redirectingTo(target);
    throw error;
  }
}

/** The authorization parameters of verified request object claims. */
function requestObjectParams(claims: JWTPayload): AuthorizationParams {
  if ('request' in claims || 'request_uri' in claims) {
    throw new OAuthError(
      'invalid_request_object',
      'A request object must not contain request or request_uri.',
    );
  }
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(claims)) {
    if (JWT_CLAIMS.includes(name)) continue;
    if (name === 'max_age' && typeof value === 'number') params.max_age = String(value);
    // OpenID Connect Core §6.1: a request object carries `claims` as a JSON object.
    else if (name === 'claims' && typeof value === 'object' && value !== null)
      params.claims = JSON.stringify(value);
    else if (typeof value === 'string') {
      if (value !== '') params[name] = value;
    } else if (STRING_PARAMS.includes(name) || name === 'max_age') {
      throw new OAuthError(
        'invalid_request_object',
        `The ${name} claim of the request object has the wrong type.`,
      );
    }
  }
  return params;
}

function checkResponseType(client: RegisteredClient, params: AuthorizationParams): void {
  if (params.response_type === undefined)
    throw invalidRequest('The response_type parameter is missing.');
  if (params.response_type !== RESPONSE_TYPE_CODE) {
    throw new OAuthError('unsupported_response_type', 'Only the code response type is supported.');
  }
  const { response_types: responseTypes, grant_types: grantTypes } = client.metadata;
  if (
    !responseTypes.includes(RESPONSE_TYPE_CODE) ||
    !grantTypes.includes(GrantType.AuthorizationCode)
  ) {
    throw new OAuthError(
      'unauthorized_client',
      'The client may not use the authorization code flow.',
    );
  }
}

function isResponseMode(value: string | undefined): value is ResponseMode {
  return value !== undefined && RESPONSE_MODES.includes(value);
}

/**
 * OAuth 2.0 Multiple Response Type Encoding Practices §5: a response mode we do not support is
 * an error; query is the code flow's default (§2.1).
 */
function readResponseMode(responseMode: string | undefined): ResponseMode {
  if (responseMode === undefined) return ResponseMode.Query;
  if (!isResponseMode(responseMode))
    throw invalidRequest('The response_mode must be query or form_post.');
  return responseMode;
}

/** How errors reach the client: in the mode asked for when we support it, else in the query (the only other way we have). */
function deliveryMode(responseMode: string | undefined): ResponseMode {
  return isResponseMode(responseMode) ? responseMode : ResponseMode.Query;
}

/**
 * No value of the request has a control character (hasControlCharacter). The token endpoint
 * refuses them on reading (RequestParams); here the error is redirected, so it is checked once
 * the redirect URI is known, request object included.
 */
function checkNoControlCharacters(params: AuthorizationParams): void {
  for (const [name, value] of Object.entries(params)) {
    if (typeof value !== 'string' || !hasControlCharacter(value)) continue;
    const named = hasControlCharacter(name) || name.length > 64 ? 'A' : `The ${name}`;
    throw invalidRequest(`${named} parameter contains a control character.`);
  }
}

/** OIDC Core §3.1.2.1: space-separated values; none only alone. */
function readPrompt(prompt: string | undefined): string[] {
  if (prompt === undefined) return [];
  const values = prompt.split(' ').filter(Boolean);
  if (values.some((v) => !PROMPT_VALUES.includes(v)))
    throw invalidRequest('The prompt parameter has an unknown value.');
  if (values.includes('none') && values.length > 1)
    throw invalidRequest('prompt=none cannot be combined with other values.');
  return values;
}

function readMaxAge(maxAge: string | undefined): number | null {
  if (maxAge === undefined) return null;
  if (!MAX_AGE.test(maxAge))
    throw invalidRequest('The max_age parameter must be a number of seconds.');
  return Number(maxAge);
}

/**
 * RFC 7636 §4.3 and §4.4.1, CONTRACT "Public clients": a public client, or one that registered a
 * code_challenge_method, must send a challenge; `plain` (also the default method) only from a
 * confidential client that registered it, so nobody can downgrade a client from S256.
 */
function readPkce(
  client: RegisteredClient,
  params: AuthorizationParams,
): { challenge: string | null; method: PkceMethod | null } {
  const { code_challenge: challenge, code_challenge_method: method } = params;
  if (challenge === undefined) {
    if (method !== undefined)
      throw invalidRequest('code_challenge_method was sent without code_challenge.');
    if (isPublicClient(client) || client.metadata.code_challenge_method !== undefined) {
      throw invalidRequest(
        'This client must use PKCE (code_challenge with code_challenge_method S256).',
      );
    }
    return { challenge: null, method: null };
  }
  const effective = method ?? PkceMethod.Plain;
  if (!isPkceMethod(effective)) throw invalidRequest('The code_challenge_method is not supported.');
  if (!isPkceChallenge(challenge, effective))
    throw invalidRequest('The code_challenge parameter is malformed.');
  const mayUsePlain =
    client.metadata.code_challenge_method === PkceMethod.Plain && !isPublicClient(client);
  if (effective === PkceMethod.Plain && !mayUsePlain) {
    throw invalidRequest('This client must use code_challenge_method S256.');
  }
  return { challenge, method: effective };
}

/** Names the parameter only when it looks like one: nothing the sender made up reaches the client's page. */
function repeatedDescription(name: string): string {
  return PARAMETER_NAME.test(name)
    ? `The ${name} parameter is repeated.`
    : 'A parameter is repeated.';
}

function invalidRequest(description: string): OAuthError {
  return new OAuthError('invalid_request', description);
}

function unregisteredRedirect(): OAuthError {
  return invalidRequest('The redirect_uri is not registered for this client.');
}

function mismatch(description: string): OAuthError {
  return new OAuthError('invalid_request_object', description);
}
