import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';

import { closeServer, listen } from '../harness';

/**
 * A single-page application on its own loopback origin that signs users in with oidc-client-ts,
 * loaded from the browser bundle the package ships, as a public client: the UserManager gets the
 * authority, client_id, redirect_uri and post_logout_redirect_uri and nothing else, so it uses its
 * defaults (response_type code with PKCE S256, scope openid, state in browser storage). Every
 * call to the identity provider is a cross-origin fetch from the page, so this needs CORS there.
 *
 *  /             defines `window.spa` for the test; `?action=signin|signin-none|logout` starts one
 *  /callback     mgr.signinCallback(), then shows the user, userinfo or the error as JSON
 *  /logged-out   mgr.signoutCallback(), then shows the stored user (none) as JSON
 */
export interface OidcClientTsSpa {
  readonly origin: string;
  readonly redirectUri: string;
  readonly postLogoutRedirectUri: string;
  close(): Promise<void>;
}

const BUNDLE = path.join(
  path.dirname(require.resolve('oidc-client-ts/package.json')),
  'dist',
  'browser',
  'oidc-client-ts.min.js',
);

const COMMON = `
const mgr = new oidc.UserManager(SETTINGS);
const show = (value) => { document.getElementById('result').textContent = JSON.stringify(value); };
const failure = (error) => ({ error: error.error ?? error.message });
// The userinfo endpoint from the library's metadata service, called with the user's access token.
async function userinfo(user) {
  const response = await fetch(await mgr.metadataService.getUserInfoEndpoint(), {
    headers: { authorization: 'Bearer ' + user.access_token },
  });
  return response.ok ? response.json() : { status: response.status };
}
window.spa = {
  async user() {
    const user = await mgr.getUser();
    return user && { profile: user.profile, scope: user.scope, refreshToken: !!user.refresh_token };
  },
  async userinfo() { return userinfo(await mgr.getUser()); },
  // With a refresh token, signinSilent uses the refresh_token grant (no iframe).
  async refresh() {
    try {
      const before = await mgr.getUser();
      const after = await mgr.signinSilent();
      return { profile: after.profile, newAccessToken: after.access_token !== before.access_token };
    } catch (error) { return failure(error); }
  },
  async revoke() {
    try { await mgr.revokeTokens(); return { revoked: true }; } catch (error) { return failure(error); }
  },
};
`;

const PAGES: Record<string, string> = {
  '/': `
const action = new URLSearchParams(location.search).get('action');
if (action === 'signin') mgr.signinRedirect();
if (action === 'signin-none') mgr.signinRedirect({ prompt: 'none' });
if (action === 'logout') mgr.signoutRedirect();
`,
  '/callback': `
mgr.signinCallback().then(
  async (user) => show({ profile: user.profile, userinfo: await userinfo(user), refreshToken: !!user.refresh_token }),
  (error) => show(failure(error)),
);
`,
  '/logged-out': `
mgr.signoutCallback().then(
  async () => show({ signedOut: true, user: await mgr.getUser() }),
  (error) => show(failure(error)),
);
`,
};

export async function startOidcClientTsSpa(options: {
  authority: string;
  clientId: string;
}): Promise<OidcClientTsSpa> {
  const bundle = readFileSync(BUNDLE);
  let origin = '';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/oidc-client-ts.min.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      return;
    }
    const script = PAGES[url.pathname];
    if (script === undefined) return void res.writeHead(404).end();
    const settings = {
      authority: options.authority,
      client_id: options.clientId,
      redirect_uri: `${origin}/callback`,
      post_logout_redirect_uri: `${origin}/logged-out`,
    };
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      .end(
        `<!doctype html><html><head><meta charset="utf-8"><title>SPA</title>` +
          `<script src="/oidc-client-ts.min.js"></script></head><body><pre id="result"></pre>` +
          `<script>const SETTINGS = ${JSON.stringify(settings)};${COMMON}${script}</script></body></html>`,
      );
  });
  origin = await listen(server);
  return {
    origin,
    redirectUri: `${origin}/callback`,
    postLogoutRedirectUri: `${origin}/logged-out`,
    close: () => closeServer(server),
  };
}
