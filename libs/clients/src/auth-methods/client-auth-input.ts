/** The endpoints that authenticate clients (RFC 6749 §2.3, RFC 7662 §2.1, RFC 7009 §2.1). */
export type ClientAuthEndpoint = 'token' | 'introspection' | 'revocation';

/** Every endpoint that authenticates clients. */
export const CLIENT_AUTH_ENDPOINTS: readonly ClientAuthEndpoint[] = [
  'token',
  'introspection',
  'revocation',
];

/** What a client authentication is decided from: the request's credentials and its endpoint. */
export interface ClientAuthInput {
  /** The Authorization header. */
  readonly authorization: string | undefined;
  /** The form body, each parameter given once. */
  readonly params: Readonly<Record<string, string>>;
  readonly endpoint: ClientAuthEndpoint;
}

/** The form parameters that carry client credentials (RFC 6749 §2.3.1, RFC 7521 §4.2). */
export const CLIENT_AUTH_PARAMS = [
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
] as const;

/** RFC 7523 §2.2: the client_assertion_type of a JWT client assertion. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Which credential mechanisms a request carries; RFC 6749 §2.3 allows one per request. */
export interface PresentedMechanisms {
  readonly basic: boolean;
  readonly secret: boolean;
  readonly assertion: boolean;
}

/**
 * The mechanisms present in `input`, whatever their values. Authorization schemes other than
 * Basic are not client credentials.
 */
export function presentedMechanisms(input: ClientAuthInput): PresentedMechanisms {
  const { authorization, params } = input;
  return {
    basic: isBasicAuthorization(authorization),
    secret: hasParam(params, 'client_secret'),
    assertion: hasParam(params, 'client_assertion') || hasParam(params, 'client_assertion_type'),
  };
}

/** True when the header uses the Basic scheme (RFC 7617 §2; scheme names are case-insensitive). */
export function isBasicAuthorization(authorization: string | undefined): authorization is string {
  return authorization !== undefined && /^basic(?:\s|$)/i.test(authorization);
}

/** True when the form carries `name`. */
export function hasParam(params: Readonly<Record<string, string>>, name: string): boolean {
  return Object.hasOwn(params, name);
}
