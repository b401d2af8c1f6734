import { Injectable } from '@nestjs/common';

import { FieldProblem, OAuthError } from '@app/errors';

import { ClientMetadata } from './client';
import { ClientAuthMethod } from './client-auth-method';
import { GrantType } from './grant-type';
import { deniedHostReason } from './outbound/outbound-address-policy';
import { isGrantTypeAllowed, isPublicClient } from './public-client';
import { MIN_RSA_MODULUS_BITS, rsaModulusBits } from './rsa-key-size';

/**
 * The values a client may register, each list taken from the metadata document's matching
 * `*_supported` member (CONTRACT §4: values outside them are rejected). Never hard-coded:
 * build it with `clientMetadataSupportFrom(document)`.
 */
export interface ClientMetadataSupport {
  readonly grantTypes: readonly string[];
  readonly responseTypes: readonly string[];
  readonly tokenEndpointAuthMethods: readonly string[];
  readonly tokenEndpointAuthSigningAlgs: readonly string[];
  readonly idTokenSigningAlgs: readonly string[];
  readonly idTokenEncryptionAlgs: readonly string[];
  readonly idTokenEncryptionEncs: readonly string[];
  readonly userinfoSigningAlgs: readonly string[];
  readonly userinfoEncryptionAlgs: readonly string[];
  readonly userinfoEncryptionEncs: readonly string[];
  readonly requestObjectSigningAlgs: readonly string[];
  readonly requestObjectEncryptionAlgs: readonly string[];
  readonly requestObjectEncryptionEncs: readonly string[];
  readonly scopes: readonly string[];
  readonly codeChallengeMethods: readonly string[];
}

/** Client metadata as an administrator supplied it: any member may be missing (or null). */
export type ClientMetadataInput = {
  [K in Exclude<keyof ClientMetadata, 'token_endpoint_auth_method'>]?: ClientMetadata[K] | null;
} & { token_endpoint_auth_method?: string | null };

/** Which metadata document member bounds which support list. */
const SUPPORT_MEMBERS: Record<keyof ClientMetadataSupport, string> = {
  grantTypes: 'grant_types_supported',
  responseTypes: 'response_types_supported',
  tokenEndpointAuthMethods: 'token_endpoint_auth_methods_supported',
  tokenEndpointAuthSigningAlgs: 'token_endpoint_auth_signing_alg_values_supported',
  idTokenSigningAlgs: 'id_token_signing_alg_values_supported',
  idTokenEncryptionAlgs: 'id_token_encryption_alg_values_supported',
  idTokenEncryptionEncs: 'id_token_encryption_enc_values_supported',
  userinfoSigningAlgs: 'userinfo_signing_alg_values_supported',
  userinfoEncryptionAlgs: 'userinfo_encryption_alg_values_supported',
  userinfoEncryptionEncs: 'userinfo_encryption_enc_values_supported',
  requestObjectSigningAlgs: 'request_object_signing_alg_values_supported',
  requestObjectEncryptionAlgs: 'request_object_encryption_alg_values_supported',
  requestObjectEncryptionEncs: 'request_object_encryption_enc_values_supported',
  scopes: 'scopes_supported',
  codeChallengeMethods: 'code_challenge_methods_supported',
};

/** The support lists of a metadata document (OIDC Discovery §3, RFC 8414 §2); a missing member supports nothing. */
export function clientMetadataSupportFrom(
  document: Record<string, unknown>,
): ClientMetadataSupport {
  const entries = Object.entries(SUPPORT_MEMBERS).map(([key, member]) => {
    const value = document[member];
    return [
      key,
      Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [],
    ];
  });
  return Object.fromEntries(entries) as ClientMetadataSupport;
}

/** Methods with which the client holds a shared secret (RFC 7591 §2). */
export const SECRET_METHODS: readonly string[] = [
  ClientAuthMethod.ClientSecretBasic,
  ClientAuthMethod.ClientSecretPost,
  ClientAuthMethod.ClientSecretJwt,
];

/** True when a client registered with `method` is issued a client_secret. */
export function authMethodUsesSecret(method: string): boolean {
  return SECRET_METHODS.includes(method);
}

// JWK members that only a private or symmetric key has (RFC 7518 §6.2.2, §6.3.2, §6.4.1).
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
// Loopback hosts for which plain http is allowed (RFC 8252 §7.3; CONTRACT §4).
const LOOPBACK_HOSTS = ['127.0.0.1', '[::1]', 'localhost'];
// allowed_groups: how many names, and how long each (as the admin API's group names).
const MAX_ALLOWED_GROUPS = 100;
const MAX_GROUP_NAME_LENGTH = 256;
// CONTRACT §4: redirect URIs are at most 2,000 characters.
const MAX_REDIRECT_URI_LENGTH = 2000;
// Parameters the authorization response adds (RFC 6749 §4.1.2, RFC 9207 §2): a registered query
// carrying one would make the response ambiguous, or let the registered URI preset it.
const RESPONSE_PARAMS = ['code', 'state', 'error', 'iss'];

/** HS* algorithms are keyed with the client secret (OIDC Core §10.1). */
const isSecretSigningAlg = (alg: string): boolean => /^HS\d+$/.test(alg);
/** AES key wrap and direct keys are derived from the client secret (OIDC Core §10.2). */
const isSecretEncryptionAlg = (alg: string): boolean => /^(A\d+(GCM)?KW|dir|PBES2-.*)$/.test(alg);
/** Asymmetric key management: the client must publish a key to encrypt to. */
const rsaOrEcKeyType = (alg: string): 'RSA' | 'EC' | null =>
  alg.startsWith('RSA') ? 'RSA' : alg.startsWith('ECDH-ES') ? 'EC' : null;

/**
 * The rules of client metadata (RFC 7591 §2, OpenID Connect Dynamic Client Registration §2,
 * CONTRACT §3 and §4). Returns the metadata to store, with defaults applied, or throws
 * `invalid_client_metadata` (`invalid_redirect_uri` when only redirect URIs are wrong) with
 * one entry per offending field.
 */
@Injectable()
export class ClientMetadataValidator {
  validate(input: ClientMetadataInput, support: ClientMetadataSupport): ClientMetadata {
    const supplied = withoutNulls(input);
    const problems = new Problems();

    this.checkSupportedValues(supplied, support, problems);
    const metadata = applyDefaults(supplied);
    this.checkRedirectUris(metadata.redirect_uris, problems);
    this.checkScope(metadata.scope, support, problems);
    this.checkKeys(metadata, problems);
    this.checkGrantsAndResponseTypes(metadata, problems);
    this.checkSecretUse(metadata, problems);
    this.checkEncryptionPairs(metadata, problems);
    if (metadata.id_token_claims !== undefined && typeof metadata.id_token_claims !== 'boolean')
      problems.add('id_token_claims', 'must be a boolean');
    if (metadata.require_mfa !== undefined && typeof metadata.require_mfa !== 'boolean')
      problems.add('require_mfa', 'must be a boolean');
    this.checkLogout(metadata, problems);
    this.checkAllowedGroups(metadata, problems);

    problems.throwIfAny();
    return metadata;
  }

  /** Supplied values only: a server default (e.g. grant_types) is stored even before it is enabled. */
  private checkSupportedValues(
    m: ClientMetadataInput,
    s: ClientMetadataSupport,
    problems: Problems,
  ): void {
    const inList = (
      field: string,
      value: string | undefined | null,
      list: readonly string[],
      member: string,
    ) => {
      if (value !== undefined && value !== null && !list.includes(value)) {
        problems.add(field, `'${value}' is not in ${member}`);
      }
    };
    m.grant_types?.forEach((v, i) =>
      inList(`grant_types[${i}]`, v, s.grantTypes, SUPPORT_MEMBERS.grantTypes),
    );
    m.response_types?.forEach((v, i) =>
      inList(`response_types[${i}]`, v, s.responseTypes, SUPPORT_MEMBERS.responseTypes),
    );
    const single: [keyof ClientMetadata, keyof ClientMetadataSupport][] = [
      ['token_endpoint_auth_method', 'tokenEndpointAuthMethods'],
      ['token_endpoint_auth_signing_alg', 'tokenEndpointAuthSigningAlgs'],
      ['id_token_signed_response_alg', 'idTokenSigningAlgs'],
      ['id_token_encrypted_response_alg', 'idTokenEncryptionAlgs'],
      ['id_token_encrypted_response_enc', 'idTokenEncryptionEncs'],
      ['userinfo_signed_response_alg', 'userinfoSigningAlgs'],
      ['userinfo_encrypted_response_alg', 'userinfoEncryptionAlgs'],
      ['userinfo_encrypted_response_enc', 'userinfoEncryptionEncs'],
      ['request_object_signing_alg', 'requestObjectSigningAlgs'],
      ['request_object_encryption_alg', 'requestObjectEncryptionAlgs'],
      ['request_object_encryption_enc', 'requestObjectEncryptionEncs'],
      ['code_challenge_method', 'codeChallengeMethods'],
    ];
    for (const [field, list] of single) {
      inList(field, m[field] as string | undefined, s[list], SUPPORT_MEMBERS[list]);
    }
  }

  private checkRedirectUris(uris: readonly string[], problems: Problems): void {
    uris.forEach((uri, i) => {
      const problem = urlProblem(uri) ?? redirectUriProblem(uri);
      if (problem) problems.add(`redirect_uris[${i}]`, problem);
    });
  }

  private checkScope(
    scope: string | undefined,
    s: ClientMetadataSupport,
    problems: Problems,
  ): void {
    if (scope === undefined) return;
    const values = scope.split(' ').filter(Boolean);
    if (values.length === 0)
      problems.add('scope', 'must list at least one scope (omit it to allow every scope)');
    if (scope !== values.join(' '))
      problems.add('scope', 'must be scope values separated by single spaces');
    for (const value of values.filter((v) => !s.scopes.includes(v))) {
      problems.add('scope', `'${value}' is not in ${SUPPORT_MEMBERS.scopes}`);
    }
  }

  private checkKeys(m: ClientMetadata, problems: Problems): void {
    if (m.jwks !== undefined && m.jwks_uri !== undefined) {
      problems.add('jwks', 'jwks and jwks_uri must not both be present (RFC 7591 §2)');
    }
    if (m.jwks_uri !== undefined) {
      const problem = urlProblem(m.jwks_uri) ?? fetchedUrlProblem(m.jwks_uri);
      if (problem) problems.add('jwks_uri', problem);
    }
    if (m.jwks !== undefined) this.checkJwks(m.jwks, problems);
    if (
      m.token_endpoint_auth_method === ClientAuthMethod.PrivateKeyJwt &&
      m.jwks === undefined &&
      m.jwks_uri === undefined
    ) {
      problems.add('token_endpoint_auth_method', 'private_key_jwt requires jwks or jwks_uri');
    }
    for (const field of [
      'id_token_encrypted_response_alg',
      'userinfo_encrypted_response_alg',
    ] as const) {
      const alg = m[field];
      const kty = alg ? rsaOrEcKeyType(alg) : null;
      if (kty && m.jwks_uri === undefined && !hasEncryptionKey(m.jwks, kty)) {
        problems.add(
          field,
          `${alg} requires a ${kty} key with "use": "enc" in jwks, or a jwks_uri`,
        );
      }
    }
  }

  private checkJwks(jwks: unknown, problems: Problems): void {
    const keys = (jwks as { keys?: unknown } | null)?.keys;
    if (typeof jwks !== 'object' || jwks === null || Array.isArray(jwks) || !Array.isArray(keys)) {
      problems.add('jwks', 'must be a JWK Set: {"keys": [...]}');
      return;
    }
    keys.forEach((key: unknown, i) => {
      const field = `jwks.keys[${i}]`;
      if (typeof key !== 'object' || key === null || Array.isArray(key)) {
        problems.add(field, 'must be a JWK object');
        return;
      }
      const jwk = key as Record<string, unknown>;
      if (typeof jwk.kty !== 'string' || jwk.kty === '')
        problems.add(field, 'must have a "kty" member');
      const secret = PRIVATE_JWK_MEMBERS.filter((member) => member in jwk);
      if (secret.length > 0) {
        problems.add(
          field,
          `must be a public key: remove ${secret.map((s) => `"${s}"`).join(', ')}`,
        );
      }
      if (jwk.use !== undefined && jwk.use !== 'sig' && jwk.use !== 'enc') {
        problems.add(field, '"use" must be "sig" or "enc"');
      }
      const keySizeProblem = jwk.kty === 'RSA' ? rsaKeyProblem(jwk) : null;
      if (keySizeProblem) problems.add(field, keySizeProblem);
    });
  }

  /** RFC 7591 §2.1 consistency, and CONTRACT §3 for public clients. */
  private checkGrantsAndResponseTypes(m: ClientMetadata, problems: Problems): void {
    const hasCodeGrant = m.grant_types.includes(GrantType.AuthorizationCode);
    const hasCodeResponse = m.response_types.includes('code');
    if (hasCodeGrant && !hasCodeResponse) {
      problems.add(
        'response_types',
        "must include 'code' when grant_types includes 'authorization_code' (RFC 7591 §2.1)",
      );
    }
    if (hasCodeResponse && !hasCodeGrant) {
      problems.add(
        'grant_types',
        "must include 'authorization_code' when response_types includes 'code' (RFC 7591 §2.1)",
      );
    }
    if (hasCodeGrant && m.redirect_uris.length === 0) {
      problems.add(
        'redirect_uris',
        "must list at least one URI for the 'authorization_code' grant",
      );
    }
    const client = { metadata: m };
    for (const grant of m.grant_types.filter((g) => !isGrantTypeAllowed(client, g))) {
      problems.add(
        'grant_types',
        `'${grant}' is not allowed for a public client (token_endpoint_auth_method none)`,
      );
    }
    // CONTRACT §3 and RFC 9700 §2.1.1: a public client must use PKCE with S256.
    if (
      isPublicClient(client) &&
      m.code_challenge_method !== undefined &&
      m.code_challenge_method !== 'S256'
    ) {
      problems.add(
        'code_challenge_method',
        "must be 'S256' for a public client (token_endpoint_auth_method none)",
      );
    }
  }

  /** HS* signatures and secret-derived encryption keys need a client secret (OIDC Core §10.1, §10.2). */
  private checkSecretUse(m: ClientMetadata, problems: Problems): void {
    const method = m.token_endpoint_auth_method;
    const hasSecret = authMethodUsesSecret(method);
    const needsSecret = (
      field: keyof ClientMetadata,
      alg: string | undefined,
      uses: (a: string) => boolean,
    ) => {
      if (alg !== undefined && uses(alg) && !hasSecret) {
        problems.add(
          field,
          `${alg} needs a client secret, which token_endpoint_auth_method ${method} does not have`,
        );
      }
    };
    needsSecret('id_token_signed_response_alg', m.id_token_signed_response_alg, isSecretSigningAlg);
    needsSecret('userinfo_signed_response_alg', m.userinfo_signed_response_alg, isSecretSigningAlg);
    needsSecret('request_object_signing_alg', m.request_object_signing_alg, isSecretSigningAlg);
    needsSecret(
      'id_token_encrypted_response_alg',
      m.id_token_encrypted_response_alg,
      isSecretEncryptionAlg,
    );
    needsSecret(
      'userinfo_encrypted_response_alg',
      m.userinfo_encrypted_response_alg,
      isSecretEncryptionAlg,
    );
    needsSecret(
      'request_object_encryption_alg',
      m.request_object_encryption_alg,
      isSecretEncryptionAlg,
    );

    const alg = m.token_endpoint_auth_signing_alg;
    if (alg === undefined) return;
    if (method === ClientAuthMethod.ClientSecretJwt && !isSecretSigningAlg(alg)) {
      problems.add(
        'token_endpoint_auth_signing_alg',
        `${alg} cannot be used with client_secret_jwt (it needs HS*)`,
      );
    } else if (method === ClientAuthMethod.PrivateKeyJwt && isSecretSigningAlg(alg)) {
      problems.add(
        'token_endpoint_auth_signing_alg',
        `${alg} cannot be used with private_key_jwt (it needs RS*, PS*, ES*)`,
      );
    } else if (
      method !== ClientAuthMethod.ClientSecretJwt &&
      method !== ClientAuthMethod.PrivateKeyJwt
    ) {
      problems.add(
        'token_endpoint_auth_signing_alg',
        'is only used with client_secret_jwt or private_key_jwt',
      );
    }
  }

  /**
   * RP-Initiated Logout 1.0 §3.1 and Back-Channel Logout 1.0 §2.2: absolute URLs without a
   * fragment, https or loopback http like redirect URIs (CONTRACT §4); the back-channel one is
   * fetched by the server, so it is held to the outbound address rules as jwks_uri is.
   */
  private checkLogout(m: ClientMetadata, problems: Problems): void {
    (m.post_logout_redirect_uris ?? []).forEach((uri, i) => {
      const problem =
        urlProblem(uri) ??
        (uri.length > MAX_REDIRECT_URI_LENGTH
          ? `must be at most ${MAX_REDIRECT_URI_LENGTH} characters`
          : null);
      if (problem) problems.add(`post_logout_redirect_uris[${i}]`, problem);
    });
    if (m.backchannel_logout_uri !== undefined) {
      const problem =
        urlProblem(m.backchannel_logout_uri) ?? fetchedUrlProblem(m.backchannel_logout_uri);
      if (problem) problems.add('backchannel_logout_uri', problem);
    }
  }

  /** CONTRACT §4 `allowed_groups`: at most 100 non-empty group names. */
  private checkAllowedGroups(m: ClientMetadata, problems: Problems): void {
    const groups: unknown = m.allowed_groups;
    if (groups === undefined) return;
    if (!Array.isArray(groups)) {
      problems.add('allowed_groups', 'must be an array of group names');
      return;
    }
    if (groups.length > MAX_ALLOWED_GROUPS)
      problems.add('allowed_groups', `must have at most ${MAX_ALLOWED_GROUPS} names`);
    groups.forEach((name: unknown, i) => {
      if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_GROUP_NAME_LENGTH)
        problems.add(
          `allowed_groups[${i}]`,
          `must be a group name (1 to ${MAX_GROUP_NAME_LENGTH} characters)`,
        );
    });
  }

  /** OIDC Registration §2: an `*_enc` is meaningful only with its `*_alg`. */
  private checkEncryptionPairs(m: ClientMetadata, problems: Problems): void {
    const pairs: [keyof ClientMetadata, keyof ClientMetadata][] = [
      ['id_token_encrypted_response_enc', 'id_token_encrypted_response_alg'],
      ['userinfo_encrypted_response_enc', 'userinfo_encrypted_response_alg'],
      ['request_object_encryption_enc', 'request_object_encryption_alg'],
    ];
    for (const [enc, alg] of pairs) {
      if (m[enc] !== undefined && m[alg] === undefined) problems.add(enc, `requires ${alg}`);
    }
  }
}

function withoutNulls(input: ClientMetadataInput): ClientMetadataInput {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null && v !== undefined));
}

/** RFC 7591 §2 and OIDC Registration §2 defaults, applied after the supplied values were checked. */
function applyDefaults(m: ClientMetadataInput): ClientMetadata {
  const grantTypes = m.grant_types ?? [GrantType.AuthorizationCode];
  return {
    ...(m as Partial<ClientMetadata>),
    redirect_uris: m.redirect_uris ?? [],
    grant_types: grantTypes,
    response_types:
      m.response_types ?? (grantTypes.includes(GrantType.AuthorizationCode) ? ['code'] : []),
    // A supplied method outside the supported list has been reported already; nothing is stored then.
    token_endpoint_auth_method:
      (m.token_endpoint_auth_method as ClientAuthMethod | undefined) ??
      ClientAuthMethod.ClientSecretBasic,
  };
}

/**
 * CONTRACT §4, for redirect_uris and jwks_uri: absolute, no fragment (RFC 6749 §3.1.2), no
 * userinfo (RFC 9700 §4.1.1: it hides the real host from a reader), no wildcard (redirect URIs
 * are compared exactly, RFC 9700 §2.1), https or loopback http (RFC 8252 §7.3).
 */
function urlProblem(uri: string): string | null {
  // RFC 3986 §2: a URI is printable ASCII. Anything else (a space, a control character, an
  // IRI's Unicode) could not be compared exactly nor go into a Location header as it is.
  if (!/^[\x21-\x7e]+$/.test(uri))
    return 'must be a URI of printable ASCII characters (percent-encode the others, RFC 3986 §2.1)';
  const url = parseUrl(uri);
  if (!url) return 'must be an absolute URL';
  if (uri.includes('#')) return 'must not contain a fragment';
  if (hasUserinfo(uri, url)) return 'must not contain a user name or password (user@host)';
  if (url.hostname.includes('*') || url.pathname.includes('*'))
    return 'must not contain a wildcard (*)';
  if (!isHttpsOrLoopbackHttp(url))
    return 'must use https, or http on a loopback host (127.0.0.1, [::1], localhost)';
  return null;
}

/** CONTRACT §4: the rules of redirect_uris beyond urlProblem(). */
function redirectUriProblem(uri: string): string | null {
  if (uri.length > MAX_REDIRECT_URI_LENGTH)
    return `must be at most ${MAX_REDIRECT_URI_LENGTH} characters`;
  const carried = RESPONSE_PARAMS.filter((name) => new URL(uri).searchParams.has(name));
  if (carried.length > 0)
    return `must not carry ${carried.join(', ')} in its query (the authorization response adds them)`;
  return null;
}

/**
 * CONTRACT §3 "Outbound requests": a URL the server fetches never names a link-local,
 * unspecified or cloud-metadata address; names that resolve there are refused at each fetch.
 */
function fetchedUrlProblem(uri: string): string | null {
  const reason = deniedHostReason(new URL(uri).hostname, false);
  return reason ? `must not name ${reason}` : null;
}

/** The userinfo part, even an empty one (https://@host/), which the URL parser drops. */
function hasUserinfo(uri: string, url: URL): boolean {
  if (url.username !== '' || url.password !== '') return true;
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#\\]*)/i.exec(uri)?.[1] ?? '';
  return authority.includes('@');
}

/** CONTRACT §4: client RSA keys have at least 2048 bits. */
function rsaKeyProblem(jwk: Record<string, unknown>): string | null {
  const bits = rsaModulusBits(jwk);
  if (bits === null) return 'must be an RSA public key (base64url "n" and "e")';
  if (bits < MIN_RSA_MODULUS_BITS)
    return `RSA keys must have at least ${MIN_RSA_MODULUS_BITS} bits (this one has ${bits})`;
  return null;
}

function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

function isHttpsOrLoopbackHttp(url: URL): boolean {
  if (url.protocol === 'https:') return url.hostname !== '';
  return url.protocol === 'http:' && LOOPBACK_HOSTS.includes(url.hostname);
}

function hasEncryptionKey(jwks: ClientMetadata['jwks'], kty: 'RSA' | 'EC'): boolean {
  const types = kty === 'EC' ? ['EC', 'OKP'] : ['RSA'];
  return (jwks?.keys ?? []).some((k) => k.use === 'enc' && types.includes(k.kty as string));
}

/** Collects field problems; one error lists them all. */
class Problems {
  private readonly byField = new Map<string, string[]>();

  add(field: string, problem: string): void {
    this.byField.set(field, [...(this.byField.get(field) ?? []), problem]);
  }

  throwIfAny(): void {
    if (this.byField.size === 0) return;
    const fields: FieldProblem[] = [...this.byField].map(([field, problems]) => ({
      field,
      problems,
    }));
    // RFC 7591 §3.2.2: invalid_redirect_uri when only the values of redirect URIs are wrong.
    const onlyRedirects = fields.every((f) => f.field.startsWith('redirect_uris['));
    throw onlyRedirects
      ? new OAuthError('invalid_redirect_uri', 'One or more redirect URIs are invalid.', { fields })
      : new OAuthError('invalid_client_metadata', 'The client metadata is invalid.', { fields });
  }
}
