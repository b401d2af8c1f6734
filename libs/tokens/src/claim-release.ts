import { UserAccount } from '@app/accounts';
import {
  allowedClaimNames,
  RegisteredClient,
  releasedClaimScopes,
  SCOPE_CLAIM_NAMES,
  SCOPE_CLAIMS,
} from '@app/clients';
import { RequestedClaims } from '@app/persistence';

/** Where released claims go. */
export type ClaimTarget = 'id_token' | 'userinfo';

/** What decides a token's claims: the grant, the scope of this token, and the subject's values. */
export interface ClaimSource {
  readonly client: RegisteredClient;
  /** The scope of the token at hand: the grant's, or a narrowing of it (RFC 6749 §6). */
  readonly scope: readonly string[];
  /** The scope the grant was given. */
  readonly grantScope: readonly string[];
  readonly requestedClaims: RequestedClaims | null;
  /** Values the grant itself proved (an OTP's e-mail or phone, SAML attributes). */
  readonly grantClaims: Readonly<Record<string, unknown>>;
  /** The registered user, when the subject is one. */
  readonly user: UserAccount | null;
  /** The user's group names (UserGroups.namesOf), read only when `groups` is released. */
  readonly groups?: readonly string[];
}

/**
 * The standard claim names `target` gets (CONTRACT "Scopes and claims"): those of the claim
 * scopes the token releases (OpenID Connect Core §5.4), in the ID token too unless the client
 * registered `id_token_claims: false`, plus those the `claims` parameter asked for there
 * (Core §5.5) among the claims the client may have at all.
 */
export function releasedClaimNames(
  target: ClaimTarget,
  source: Omit<ClaimSource, 'grantClaims' | 'user'>,
): Set<string> {
  const { client } = source;
  const byScope =
    target === 'id_token' && client.metadata.id_token_claims === false
      ? []
      : releasedClaimScopes(source.scope, client, source.grantScope).flatMap(
          (s) => SCOPE_CLAIMS[s],
        );
  const allowed = allowedClaimNames(client);
  const asked = (source.requestedClaims?.[target] ?? []).filter((name) => allowed.has(name));
  return new Set([...byScope, ...asked]);
}

/**
 * The claims `target` carries, `sub` and the protocol's own members aside. A user's values win
 * over the grant's; grant values that are no standard claim (SAML attributes) pass as they are.
 * `names` is `releasedClaimNames(target, source)`, for a caller that has it already.
 */
export function releaseClaims(
  target: ClaimTarget,
  source: ClaimSource,
  names: ReadonlySet<string> = releasedClaimNames(target, source),
): Record<string, unknown> {
  const values: Record<string, unknown> = {
    ...source.grantClaims,
    ...userValues(source.user, source.groups ?? []),
  };
  return Object.fromEntries(
    Object.entries(values).filter(
      ([name, value]) =>
        value !== undefined && (names.has(name) || !SCOPE_CLAIM_NAME_SET.has(name)),
    ),
  );
}

const SCOPE_CLAIM_NAME_SET: ReadonlySet<string> = new Set(SCOPE_CLAIM_NAMES);

/** A user's claim values: the stored ones, `updated_at` (Core §5.1: seconds), and `groups`. */
function userValues(user: UserAccount | null, groups: readonly string[]): Record<string, unknown> {
  if (!user) return {};
  return {
    ...user.claims,
    updated_at: Math.floor(user.updatedAt.getTime() / 1000),
    // CONTRACT "Scopes and claims": an array of group names.
    groups: [...groups],
  };
}
