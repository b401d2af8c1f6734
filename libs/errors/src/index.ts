/** The one error type libs throw; its description is safe to show. */
export { OAuthError } from './oauth-error';
/** The response modes of the authorization endpoint, which its redirected errors use too. */
export { ResponseMode } from './oauth-error';
export type { ErrorRedirect, FieldProblem, OAuthErrorOptions } from './oauth-error';
/** The closed union of error codes and their default statuses. */
export { DEFAULT_STATUS, OAuthErrorCodes } from './oauth-error-code';
export type { OAuthErrorCode } from './oauth-error-code';
/** Writes any error as RFC 6749 §5.2 JSON; registered as APP_FILTER. */
export { OAuthExceptionFilter, renderOAuthError } from './oauth-exception.filter';
export type { RenderedError } from './oauth-exception.filter';
