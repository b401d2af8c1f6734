/** The authorization endpoint: request validation, request objects, login sessions and authorization codes. */
export { AuthorizationModule } from './authorization.module';
/** Answers authorization requests and login form posts with a redirect, the login page or an error page. */
export { AuthorizationService, LOGIN_TICKET_FIELD } from './authorization.service';
export type { AuthorizationOutcome, BrowserCookies, LoginForm } from './authorization.service';
/** The second-factor page: its ticket field and what it shows. */
export { FACTOR_TICKET_FIELD } from './second-factor.service';
export type { FactorForm } from './second-factor.service';
export type { FactorMethod } from './login-ticket.service';
export type { AuthorizationInput } from './authorization-request';
/** Answers for the client (RFC 6749 §4.1.2.1): an error's parameters, and the query mode's Location. */
export { errorResponse, responseLocation } from './authorization-response';
export type { AuthorizationResponse } from './authorization-response';
/** Issues and redeems single-use authorization codes (RFC 6749 §4.1.2); a replay revokes what the code issued. */
export { AuthorizationCodeService } from './authorization-code.service';
export type { RedeemedAuthorizationCode } from './authorization-code.service';
/** Browser sessions: how long a sign-in lasts; ending them (logout, admin) with what that brings. */
export { LOGIN_SESSION_TTL_SECONDS, LoginSessionService } from './login-session.service';
export type { LoginSession } from './login-session.service';
/** The end_session_endpoint (OpenID Connect RP-Initiated Logout 1.0). */
export { LOGOUT_CONFIRM_FIELD, LogoutService } from './logout.service';
export type { LogoutInput, LogoutOutcome } from './logout.service';
/** PKCE (RFC 7636): methods, syntax and the verifier check. */
export { isPkceValue, PkceMethod, pkceVerifierMatches } from './pkce';
/** A signed-in user (past a second factor) adds a passkey. */
export { PASSKEY_TICKET_FIELD, PasskeyRegistrationService } from './passkey-registration.service';
export type { PasskeyRegistrationOutcome } from './passkey-registration.service';
