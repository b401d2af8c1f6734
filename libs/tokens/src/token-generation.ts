/**
 * Revoking every token of a client (CONTRACT §4 `revoke-tokens`) must reach access tokens that
 * have no grant row (client_credentials: the JWT is all the state), so the client row keeps a
 * counter, its token generation, that the revocation bumps, and each access token carries the
 * generation it was minted in (private claim `cgen`, RFC 7519 §4.3). A token of an older
 * generation than its client's is inactive.
 *
 * Why a counter and not a revocation time compared with the token's issue time: a time cut-off
 * needs the issue time to the millisecond (`iat` has whole seconds), and then every instance's
 * clock to agree with the one that set the cut-off; a skew of a few milliseconds either spares a
 * token minted just before the call or kills one minted just after it. The counter is exact and
 * reads no clock: the issuing instance takes it from the client it just authenticated (its
 * cache drops the client on every instance before the revocation answers), and a token minted
 * by a request that raced the revocation carries the old generation, so it is dead, never
 * wrongly alive.
 */
export const TOKEN_GENERATION_CLAIM = 'cgen';

/** The claim to mint into an access token: none for generation 0, so unrevoked clients' tokens do not change. */
export function tokenGenerationClaim(generation: number): Record<string, number> {
  return generation === 0 ? {} : { [TOKEN_GENERATION_CLAIM]: generation };
}

/** The generation a verified access token was minted in (absent: 0); null when the claim is malformed. */
export function readTokenGeneration(payload: Record<string, unknown>): number | null {
  const value = payload[TOKEN_GENERATION_CLAIM];
  if (value === undefined) return 0;
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : null;
}

/** Whether a token minted in `tokenGeneration` survived every revocation of its client so far. */
export function isCurrentGeneration(tokenGeneration: number, clientGeneration: number): boolean {
  return tokenGeneration >= clientGeneration;
}
