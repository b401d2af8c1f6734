/** Every protocol path, relative to the issuer URL. Controllers, discovery and tests use these. */
export const Routes = {
  openidConfiguration: '/.well-known/openid-configuration',
  oauthAuthorizationServer: '/.well-known/oauth-authorization-server',
  metadataJson: '/oauth2/metadata.json',
  jwks: '/oauth2/metadata.jwks',
  authorization: '/oauth2/authorization',
  token: '/oauth2/token',
  userinfo: '/oauth2/userinfo',
  introspection: '/oauth2/introspection',
  revocation: '/oauth2/revocation',
  /** RP-Initiated Logout 1.0 end_session_endpoint (CONTRACT "Logout and sessions"). */
  logout: '/oauth2/logout',
  /** The login page's stylesheet (LOGIN_CSS_FILE replaces it). */
  loginStylesheet: '/oauth2/static/login.css',
  /** The passkey ceremony's script (the one script of the login pages). */
  passkeyScript: '/oauth2/static/passkey.js',
  /** A signed-in user adds a passkey. */
  passkeys: '/oauth2/passkeys',
} as const;

export type RouteName = keyof typeof Routes;
