import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';

import * as client from 'openid-client';
import { JWTPayload } from 'jose';

import { closeServer, listen, logoutTokenValidator, readBody } from '../harness';

/**
 * A small web application signing users in with openid-client v6 exactly as its README shows:
 * discovery with issuer, client id and secret, PKCE, authorizationCodeGrant, fetchUserInfo,
 * refreshTokenGrant and buildEndSessionUrl. Its back-channel logout endpoint validates logout
 * tokens with jose (openid-client does not validate them) and ends the matching sessions.
 * Every route answers JSON so that a test reads what the application saw.
 */
export interface OpenidClientApp {
  readonly origin: string;
  readonly redirectUri: string;
  readonly postLogoutRedirectUri: string;
  readonly backchannelLogoutUri: string;
  /** Logout tokens that passed validation, and the reasons of those that did not. */
  readonly logoutTokens: JWTPayload[];
  readonly rejectedLogoutTokens: string[];
  close(): Promise<void>;
}

interface Session {
  codeVerifier?: string;
  state?: string;
  /** Every sign-in of this browser: the tokens of each, newest last. */
  grants: { idToken: string; refreshToken?: string; sid?: string }[];
  logoutState?: string;
  /** Set by a back-channel logout token for one of its IdP sessions. */
  loggedOutByIdp?: boolean;
}

export async function startOpenidClientApp(options: {
  issuer: string;
  clientId: string;
  clientSecret: string;
}): Promise<OpenidClientApp> {
  // http:// only because the test server is on loopback without TLS; an https issuer needs no option.
  const config = await client.discovery(
    new URL(options.issuer),
    options.clientId,
    options.clientSecret,
    undefined,
    { execute: [client.allowInsecureRequests] },
  );
  const validateLogoutToken = logoutTokenValidator({
    issuer: options.issuer,
    jwksUri: config.serverMetadata().jwks_uri!,
    clientId: options.clientId,
  });
  const sessions = new Map<string, Session>();
  const logoutTokens: JWTPayload[] = [];
  const rejectedLogoutTokens: string[] = [];
  let origin = '';

  const sessionOf = (req: IncomingMessage, res: ServerResponse): Session => {
    const id = /(?:^|;\s*)rp=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1];
    if (id && sessions.has(id)) return sessions.get(id)!;
    const fresh = randomBytes(16).toString('base64url');
    const session: Session = { grants: [] };
    sessions.set(fresh, session);
    res.setHeader('set-cookie', `rp=${fresh}; HttpOnly; Path=/; SameSite=Lax`);
    return session;
  };
  const json = (res: ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const failure = (error: unknown) =>
    error instanceof client.AuthorizationResponseError || error instanceof client.ResponseBodyError
      ? error.error
      : (error as Error).message;

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse, url: URL) => unknown> = {
    '/login': async (req, res, url) => {
      const session = sessionOf(req, res);
      session.codeVerifier = client.randomPKCECodeVerifier();
      session.state = client.randomState();
      const parameters: Record<string, string> = {
        redirect_uri: `${origin}/callback`,
        scope: url.searchParams.get('scope') ?? 'openid profile email',
        code_challenge: await client.calculatePKCECodeChallenge(session.codeVerifier),
        code_challenge_method: 'S256',
        state: session.state,
      };
      const prompt = url.searchParams.get('prompt');
      if (prompt) parameters.prompt = prompt;
      res.writeHead(302, { location: client.buildAuthorizationUrl(config, parameters).href }).end();
    },
    '/callback': async (req, res, url) => {
      const session = sessionOf(req, res);
      try {
        const tokens = await client.authorizationCodeGrant(config, new URL(url.href), {
          pkceCodeVerifier: session.codeVerifier,
          expectedState: session.state,
        });
        const claims = tokens.claims()!;
        const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
        session.grants.push({
          idToken: tokens.id_token!,
          refreshToken: tokens.refresh_token,
          sid: claims.sid as string | undefined,
        });
        json(res, 200, { claims, userinfo, scope: tokens.scope, grant: session.grants.length - 1 });
      } catch (error) {
        json(res, 400, { error: failure(error) });
      }
    },
    '/refresh': async (req, res, url) => {
      const grant = sessionOf(req, res).grants[Number(url.searchParams.get('grant') ?? 0)];
      try {
        const tokens = await client.refreshTokenGrant(config, grant.refreshToken!);
        grant.refreshToken = tokens.refresh_token ?? grant.refreshToken;
        json(res, 200, { claims: tokens.claims() ?? null, access_token: !!tokens.access_token });
      } catch (error) {
        json(res, 400, { error: failure(error) });
      }
    },
    '/logout': (req, res) => {
      const session = sessionOf(req, res);
      session.logoutState = client.randomState();
      const idToken = session.grants.at(-1)?.idToken;
      res
        .writeHead(302, {
          location: client.buildEndSessionUrl(config, {
            ...(idToken ? { id_token_hint: idToken } : {}),
            post_logout_redirect_uri: `${origin}/logged-out`,
            state: session.logoutState,
          }).href,
        })
        .end();
    },
    '/logged-out': (req, res, url) => {
      const session = sessionOf(req, res);
      json(res, 200, {
        stateMatches: url.searchParams.get('state') === session.logoutState,
      });
    },
    // Back-Channel Logout 1.0 §2.5, §2.8: 200 when the token is valid, 400 otherwise.
    '/backchannel-logout': async (req, res) => {
      const body = new URLSearchParams(await readBody(req));
      try {
        const payload = await validateLogoutToken(body.get('logout_token') ?? '');
        logoutTokens.push(payload);
        // The application's own session for that IdP session ends too (§2.7); the tokens stay
        // for /refresh, which shows the test what the IdP still accepts.
        for (const session of sessions.values())
          if (session.grants.some((g) => g.sid === payload.sid)) session.loggedOutByIdp = true;
        res.writeHead(200, { 'cache-control': 'no-store' }).end();
      } catch (error) {
        rejectedLogoutTokens.push((error as Error).message);
        json(res, 400, { error: 'invalid_request' });
      }
    },
    '/me': (req, res) => {
      const session = sessionOf(req, res);
      json(res, 200, { signedIn: session.grants.length > 0 && !session.loggedOutByIdp });
    },
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const route = routes[url.pathname];
    if (!route) return json(res, 404, { error: 'not found' });
    Promise.resolve(route(req, res, url)).catch((error: unknown) =>
      json(res, 500, { error: (error as Error).message }),
    );
  });
  origin = await listen(server);
  return {
    origin,
    redirectUri: `${origin}/callback`,
    postLogoutRedirectUri: `${origin}/logged-out`,
    backchannelLogoutUri: `${origin}/backchannel-logout`,
    logoutTokens,
    rejectedLogoutTokens,
    close: () => closeServer(server),
  };
}
