import { createServer } from 'node:http';

import express from 'express';
import session from 'express-session';
import { JWTPayload } from 'jose';
import * as client from 'openid-client';
import { Strategy, VerifyFunction } from 'openid-client/passport';
import passport from 'passport';

import { closeServer, listen, logoutTokenValidator } from '../harness';

/**
 * An Express application signing users in with Passport and the Strategy that ships with
 * openid-client v6 (`openid-client/passport`), set up as its documentation shows: discovery with
 * issuer, client id and secret, `new Strategy({ config, scope, callbackURL }, verify)`,
 * `passport.authenticate(server.host)` for both the sign-in and the callback routes. Its
 * back-channel logout endpoint validates logout tokens with jose and destroys the matching
 * express-session sessions.
 */
export interface PassportApp {
  readonly origin: string;
  readonly redirectUri: string;
  readonly postLogoutRedirectUri: string;
  readonly backchannelLogoutUri: string;
  readonly logoutTokens: JWTPayload[];
  readonly rejectedLogoutTokens: string[];
  close(): Promise<void>;
}

interface SignedInUser {
  claims: client.IDToken;
  userinfo: client.UserInfoResponse;
  idToken: string;
  refreshToken?: string;
}

export async function startPassportApp(options: {
  issuer: string;
  clientId: string;
  clientSecret: string;
}): Promise<PassportApp> {
  const server = new URL(options.issuer);
  // http:// only because the test server is on loopback without TLS.
  const config = await client.discovery(server, options.clientId, options.clientSecret, undefined, {
    execute: [client.allowInsecureRequests],
  });
  const validateLogoutToken = logoutTokenValidator({
    issuer: options.issuer,
    jwksUri: config.serverMetadata().jwks_uri!,
    clientId: options.clientId,
  });
  const logoutTokens: JWTPayload[] = [];
  const rejectedLogoutTokens: string[] = [];
  const store = new session.MemoryStore();
  /** IdP session id (`sid`) → express-session ids, for back-channel logout. */
  const sessionsBySid = new Map<string, Set<string>>();

  const app = express();
  const http = createServer(app);
  const origin = await listen(http);

  app.use(
    session({
      store,
      secret: 'passport relying party test secret',
      resave: false,
      saveUninitialized: false,
    }),
  );
  app.use(passport.initialize());
  app.use(passport.session());

  const verify: VerifyFunction = (tokens, verified) => {
    const claims = tokens.claims()!;
    client
      .fetchUserInfo(config, tokens.access_token, claims.sub)
      .then((userinfo) =>
        verified(null, {
          claims,
          userinfo,
          idToken: tokens.id_token!,
          refreshToken: tokens.refresh_token,
        } satisfies SignedInUser),
      )
      .catch((error: unknown) => verified(error));
  };
  const strategy = new Strategy(
    { config, scope: 'openid profile email', callbackURL: `${origin}/callback` },
    verify,
  );
  // One passport instance per test file: the module-level singleton is that of this app only.
  passport.use(strategy);
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));

  app.get('/login', (req, res, next) =>
    passport.authenticate(server.host, {
      ...(typeof req.query.prompt === 'string' ? { prompt: req.query.prompt } : {}),
    })(req, res, next),
  );
  app.get('/callback', passport.authenticate(server.host, { failWithError: true }), (req, res) => {
    const user = req.user as SignedInUser;
    const sid = user.claims.sid as string | undefined;
    if (sid) sessionsBySid.set(sid, (sessionsBySid.get(sid) ?? new Set()).add(req.sessionID));
    res.json({ claims: user.claims, userinfo: user.userinfo });
  });
  app.get('/me', (req, res) => {
    res.json({ signedIn: req.isAuthenticated() });
  });
  app.get('/refresh', (req, res) => {
    const user = req.user as SignedInUser | undefined;
    if (!user?.refreshToken) return void res.status(401).json({ error: 'not signed in' });
    client
      .refreshTokenGrant(config, user.refreshToken)
      .then((tokens) => {
        user.refreshToken = tokens.refresh_token ?? user.refreshToken;
        res.json({ claims: tokens.claims() ?? null, access_token: !!tokens.access_token });
      })
      .catch((error: unknown) =>
        res.status(400).json({ error: (error as client.ResponseBodyError).error ?? String(error) }),
      );
  });
  // RP-Initiated Logout 1.0 §2: the local session ends, then the browser goes to the IdP.
  app.get('/logout', (req, res, next) => {
    const user = req.user as SignedInUser | undefined;
    req.logout((error) => {
      if (error) return next(error);
      res.redirect(
        client.buildEndSessionUrl(config, {
          ...(user ? { id_token_hint: user.idToken } : {}),
          post_logout_redirect_uri: `${origin}/logged-out`,
        }).href,
      );
    });
  });
  app.get('/logged-out', (req, res) => {
    res.json({ signedIn: req.isAuthenticated() });
  });
  // Back-Channel Logout 1.0 §2.5, §2.8.
  app.post('/backchannel-logout', express.urlencoded({ extended: false }), (req, res) => {
    const token: unknown = (req.body as Record<string, unknown>).logout_token;
    validateLogoutToken(typeof token === 'string' ? token : '')
      .then((payload) => {
        logoutTokens.push(payload);
        for (const id of sessionsBySid.get(payload.sid as string) ?? []) store.destroy(id);
        sessionsBySid.delete(payload.sid as string);
        res.set('cache-control', 'no-store').status(200).end();
      })
      .catch((error: unknown) => {
        rejectedLogoutTokens.push((error as Error).message);
        res.status(400).json({ error: 'invalid_request' });
      });
  });
  // Passport hands authorization-response errors (login_required) to Express.
  app.use(
    (error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(400).json({
        error: (error as client.AuthorizationResponseError).error ?? String(error),
      });
    },
  );

  return {
    origin,
    redirectUri: `${origin}/callback`,
    postLogoutRedirectUri: `${origin}/logged-out`,
    backchannelLogoutUri: `${origin}/backchannel-logout`,
    logoutTokens,
    rejectedLogoutTokens,
    close: () => closeServer(http),
  };
}
