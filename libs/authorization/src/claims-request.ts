import { OAuthError } from '@app/errors';
import { Acr } from '@app/factors';
import { RequestedClaims } from '@app/persistence';

/** Bounds a request's `claims` parameter: far more names than Core §5.1 defines is no real request. */
const MAX_CLAIMS_PER_TARGET = 64;
const CLAIM_NAME = /^[\x21-\x7e]{1,128}$/;

/**
 * Reads the `claims` request parameter (OpenID Connect Core §5.5): a JSON object whose `userinfo`
 * and `id_token` members map claim names to null or to an object with optional `essential`
 * (boolean), `value` and `values` (array). Other top-level members are ignored (§5.5: members
 * not understood are ignored); anything malformed is invalid_request. Null when absent.
 */
export function readClaimsRequest(raw: string | undefined): RequestedClaims | null {
  if (raw === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw malformed('is not JSON');
  }
  if (!isObject(parsed)) throw malformed('must be a JSON object');
  return {
    userinfo: names(parsed.userinfo, 'userinfo'),
    id_token: names(parsed.id_token, 'id_token'),
  };
}

/**
 * `acr_values` with what an essential `acr` of the `claims` parameter demands folded in: Core
 * §5.5.1.1 says the server MUST then return one of its `values`, so one that names only the
 * second factor's class (not the password's) asks for a second factor as `acr_values` naming
 * it does. Call after readClaimsRequest has accepted `claims`.
 */
export function withEssentialAcr(
  acrValues: string | null,
  claims: string | undefined,
): string | null {
  if (claims === undefined) return acrValues;
  const parsed = JSON.parse(claims) as Record<string, unknown>;
  const demanded = new Set<unknown>();
  for (const target of [parsed.id_token, parsed.userinfo]) {
    const acr = isObject(target) ? target.acr : undefined;
    if (!isObject(acr) || acr.essential !== true) continue;
    if (Array.isArray(acr.values)) for (const value of acr.values) demanded.add(value);
    if (acr.value !== undefined) demanded.add(acr.value);
  }
  if (!demanded.has(Acr.Mfa) || demanded.has(Acr.Password)) return acrValues;
  return acrValues ? `${acrValues} ${Acr.Mfa}` : Acr.Mfa;
}

function names(member: unknown, target: string): string[] {
  if (member === undefined || member === null) return [];
  if (!isObject(member)) throw malformed(`member ${target} must be an object`);
  const entries = Object.entries(member);
  if (entries.length > MAX_CLAIMS_PER_TARGET)
    throw malformed(`member ${target} names too many claims`);
  for (const [name, request] of entries) {
    if (!CLAIM_NAME.test(name)) throw malformed(`member ${target} names a malformed claim`);
    if (request === null) continue;
    if (!isObject(request)) throw malformed(`each claim of ${target} must be null or an object`);
    if (request.essential !== undefined && typeof request.essential !== 'boolean')
      throw malformed('essential must be a boolean');
    if (request.values !== undefined && !Array.isArray(request.values))
      throw malformed('values must be an array');
  }
  return entries.map(([name]) => name);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function malformed(problem: string): OAuthError {
  return new OAuthError(
    'invalid_request',
    `The claims parameter ${problem} (OpenID Connect Core §5.5).`,
  );
}
