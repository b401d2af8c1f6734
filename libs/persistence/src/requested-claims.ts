/**
 * The claims an authorization request's `claims` parameter asked for one by one (OpenID Connect
 * Core §5.5), by where they go. Only the names are kept: this server releases a requested claim
 * the client may have, and `essential`, `value` and `values` change nothing about that.
 */
export interface RequestedClaims {
  readonly userinfo: readonly string[];
  readonly id_token: readonly string[];
}
