import { RegisteredClient } from './client';

/**
 * The claims each claim scope releases: OpenID Connect Core §5.4, plus `groups` (CONTRACT
 * "Scopes and claims": an array of group names).
 */
export const SCOPE_CLAIMS: Readonly<Record<string, readonly string[]>> = {
  profile: [
    'name',
    'family_name',
    'given_name',
    'middle_name',
    'nickname',
    'preferred_username',
    'profile',
    'picture',
    'website',
    'gender',
    'birthdate',
    'zoneinfo',
    'locale',
    'updated_at',
  ],
  email: ['email', 'email_verified'],
  address: ['address'],
  phone: ['phone_number', 'phone_number_verified'],
  groups: ['groups'],
};

/** Scopes that release claims (Core §5.4). */
export const CLAIM_SCOPES: readonly string[] = Object.keys(SCOPE_CLAIMS);

/** Scopes that make a token an OpenID one: it may be used at UserInfo (`userinfo`: the seed's legacy scope). */
export const OPENID_SCOPES: readonly string[] = ['openid', 'userinfo'];

/** scopes_supported: the seed's `openid` and `userinfo`, then Core §5.4's and §11's, then `groups`. */
export const SUPPORTED_SCOPES: readonly string[] = [
  'openid',
  'userinfo',
  'profile',
  'email',
  'phone',
  'address',
  'offline_access',
  'groups',
];

/** Every user claim a scope can release (claims_supported adds `sub` and the ID token's own). */
export const SCOPE_CLAIM_NAMES: readonly string[] = Object.values(SCOPE_CLAIMS).flat();

/**
 * The scopes `client` may have (CONTRACT "Scopes and claims"): its registered `scope`, plus every
 * claim scope when that includes `userinfo`; every supported scope when it registered none.
 */
export function allowedScopes(client: RegisteredClient): readonly string[] {
  const registered = client.metadata.scope?.split(' ').filter(Boolean);
  if (!registered) return SUPPORTED_SCOPES;
  return registered.includes('userinfo')
    ? [...new Set([...registered, ...CLAIM_SCOPES])]
    : registered;
}

/**
 * The scope to grant for `requested` (space-separated, or undefined): the values in
 * scopes_supported that the client may have, in the order asked. A value the server does not
 * know is ignored (OpenID Connect Core §3.1.2.1) and one the client may not have is left out
 * (RFC 6749 §3.3): the token response's `scope` then says what was granted. None asked grants none.
 */
export function resolveScope(requested: string | undefined, client: RegisteredClient): string[] {
  if (requested === undefined) return [];
  const allowed = allowedScopes(client);
  const asked = [...new Set(requested.split(' ').filter(Boolean))];
  return asked.filter((s) => SUPPORTED_SCOPES.includes(s) && allowed.includes(s));
}

/**
 * The claim scopes whose claims a token of `scope` releases (CONTRACT "Scopes and claims"): those
 * it names and the client may have; when it names none, every claim scope the client may have
 * (as the original product releases its policy attributes), provided it is an OpenID token.
 * `grantScope` is the scope the grant was first given: a narrowed refresh (RFC 6749 §6) never
 * releases more than the grant did.
 */
export function releasedClaimScopes(
  scope: readonly string[],
  client: RegisteredClient,
  grantScope: readonly string[] = scope,
): string[] {
  const base = claimScopesOf(grantScope, client);
  const named = scope.filter((s) => CLAIM_SCOPES.includes(s));
  if (named.length > 0) return base.filter((s) => named.includes(s));
  return scope.some((s) => OPENID_SCOPES.includes(s)) ? base : [];
}

function claimScopesOf(scope: readonly string[], client: RegisteredClient): string[] {
  const allowed = allowedScopes(client);
  const named = scope.filter((s) => CLAIM_SCOPES.includes(s));
  if (named.length > 0) return named.filter((s) => allowed.includes(s));
  if (!scope.some((s) => OPENID_SCOPES.includes(s))) return [];
  return CLAIM_SCOPES.filter((s) => allowed.includes(s));
}

/** The claim names a client may be given at all: those of every claim scope it may have (Core §5.5 requests included). */
export function allowedClaimNames(client: RegisteredClient): Set<string> {
  const allowed = allowedScopes(client);
  return new Set(CLAIM_SCOPES.filter((s) => allowed.includes(s)).flatMap((s) => SCOPE_CLAIMS[s]));
}
