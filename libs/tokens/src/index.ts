/** Token issuance, introspection and revocation. */
export { TokensModule } from './tokens.module';
/** Mints token responses: for a new grant, for an existing one after a refresh, or a lone access token. */
export { TokenService } from './token.service';
export type { IssueAccessTokenRequest, MintedRefreshToken, ReissueRequest } from './token.service';
/** Decides whether an access token is active (signature, expiry, and revocation state). */
export { AccessTokenVerifier } from './access-token-verifier';
/** RFC 7662 introspection and RFC 7009 revocation. */
export { TokenIntrospection } from './token-introspection.service';
/** OpenID Connect UserInfo claims for an access token. */
export { bearerChallenge, UserinfoService } from './userinfo.service';
export type { UserinfoResult } from './userinfo.service';
/** Signs, then encrypts when registered, a JWT addressed to a client. */
export { ClientResponseProtector } from './client-response-protector';
export type { ProtectionProfile } from './client-response-protector';
/** Signs a JWT for a client with its registered algorithm. */
export { signForClient } from './client-jose';
export type { AccessTokenClaims, IssueTokensRequest, TokenResponse } from './token-types';
/** Delivers queued logout tokens to clients' backchannel_logout_uri (Back-Channel Logout 1.0). */
export {
  BACKCHANNEL_LOGOUT_EVENT,
  BackchannelLogoutSender,
  LOGOUT_TOKEN_TYP,
} from './backchannel-logout.sender';
