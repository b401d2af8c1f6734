import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';

import { createRemoteJWKSet, generateKeyPair, JWTPayload, jwtVerify, SignJWT } from 'jose';
import { Page } from 'playwright-core';

import { admin } from '../../setup/oauth';
import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import { startTestServer, TestServer } from '../../setup/test-server';
import { createClient, CreatedClient } from '../../factories/client.factory';
import { createUser, CreatedUser } from '../../factories/user.factory';

/**
 * What every relying-party test needs: the identity provider on a fresh database, one user
 * with profile and e-mail claims, clients registered through the admin API, a logout-token
 * validator per Back-Channel Logout 1.0 §2.6, and the real login page filled in by Chromium.
 */

export const USER = {
  username: 'rp-alice',
  password: 'relying parties sign alice in',
  name: 'Alice Example',
  given_name: 'Alice',
  family_name: 'Example',
  email: 'alice@example.com',
  email_verified: true,
} as const;

export interface Idp {
  readonly server: TestServer;
  readonly issuer: string;
  readonly user: CreatedUser;
  close(): Promise<void>;
}

export async function startIdp(): Promise<Idp> {
  const db: TestDatabase = await createTestDatabase();
  // Relying-party libraries check iat and exp against the real clock.
  const server = await startTestServer({ databaseUrl: db.url });
  const user = await createUser(server, { ...USER });
  return {
    server,
    issuer: server.issuer,
    user,
    close: async () => {
      await server.close();
      await db.drop();
    },
  };
}

/** A client as registered, with the metadata it was registered with (PUT replaces all of it). */
export interface RegisteredClient {
  readonly client: CreatedClient;
  readonly metadata: Record<string, unknown>;
}

/**
 * Registers a client whose redirect URI is the loopback callback on any port (RFC 8252 §7.3), so
 * the relying party can start on an ephemeral port after its registration.
 */
export async function registerClient(
  idp: Idp,
  metadata: Record<string, unknown>,
): Promise<RegisteredClient> {
  const full = {
    redirect_uris: ['http://127.0.0.1/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    ...metadata,
  };
  return { client: await createClient(idp.server, full), metadata: full };
}

/**
 * Adds the logout metadata (RP-Initiated Logout 1.0 §3.1, Back-Channel Logout 1.0 §2.2) once the
 * relying party knows its port: post_logout_redirect_uris match exactly.
 */
export async function enableLogout(
  idp: Idp,
  registered: RegisteredClient,
  logout: { post_logout_redirect_uris: string[]; backchannel_logout_uri: string },
): Promise<void> {
  const res = await admin(idp.server).put(
    `/admin/v1/clients/${encodeURIComponent(registered.client.client_id)}`,
    {
      ...registered.metadata,
      ...logout,
      backchannel_logout_session_required: true,
    },
  );
  if (res.status !== 200)
    throw new Error(`enableLogout: ${res.status} ${JSON.stringify(res.body)}`);
}

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * Back-Channel Logout 1.0 §2.6: a relying party validates a logout token as an ID token (signature
 * by the issuer's JWKS, iss, aud, iat) and then checks that it is typed logout+jwt (§2.4), names
 * the back-channel logout event, has sid or sub (here, with
 * backchannel_logout_session_required, sid) and has no nonce. Throws on anything else.
 */
export function logoutTokenValidator(options: {
  issuer: string;
  jwksUri: string;
  clientId: string;
}): (logoutToken: string) => Promise<JWTPayload> {
  const jwks = createRemoteJWKSet(new URL(options.jwksUri));
  return async (logoutToken) => {
    const { payload } = await jwtVerify(logoutToken, jwks, {
      issuer: options.issuer,
      audience: options.clientId,
      typ: 'logout+jwt',
      requiredClaims: ['iat', 'jti', 'events'],
      // §2.6 step 3 is that of an ID token: a logout token minutes old is no longer news.
      maxTokenAge: '2 minutes',
    });
    const events = payload.events as Record<string, unknown> | undefined;
    const event = events?.[BACKCHANNEL_LOGOUT_EVENT];
    if (typeof event !== 'object' || event === null || Array.isArray(event))
      throw new Error('logout token without the back-channel logout event');
    if (typeof payload.sid !== 'string')
      throw new Error('logout token without sid (backchannel_logout_session_required)');
    if ('nonce' in payload) throw new Error('logout token with a nonce');
    return payload;
  };
}

/** The request body of a relying-party endpoint as text (bounded: these are tiny forms). */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Listens on an ephemeral loopback port and returns http://127.0.0.1:PORT. */
export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export function closeServer(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
}

/**
 * A loopback endpoint that stands for a relying party's back-channel logout URI where the relying
 * party itself cannot have one (a browser application): it validates each token with jose.
 */
export async function startBackchannelReceiver(validate: (token: string) => Promise<JWTPayload>) {
  const received: JWTPayload[] = [];
  const rejected: string[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const body = new URLSearchParams(await readBody(req));
      try {
        received.push(await validate(body.get('logout_token') ?? ''));
        res.writeHead(200, { 'cache-control': 'no-store' }).end();
      } catch (error) {
        rejected.push((error as Error).message);
        res
          .writeHead(400, { 'content-type': 'application/json' })
          .end('{"error":"invalid_request"}');
      }
    })();
  });
  const origin = await listen(server);
  return {
    uri: `${origin}/backchannel-logout`,
    received,
    rejected,
    close: () => closeServer(server),
  };
}

/** Fills in and submits the real login page (CONTRACT: inputs `username` and `password`). */
export async function submitLoginPage(page: Page): Promise<void> {
  await page.waitForSelector('form[method="post"] input[name="username"]');
  await page.fill('input[name="username"]', USER.username);
  await page.fill('input[name="password"]', USER.password);
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
}

/** The JSON document the browser shows (the relying parties answer their routes with JSON). */
export async function pageJson<T = Record<string, unknown>>(page: Page): Promise<T> {
  return JSON.parse((await page.locator('body').innerText()).trim()) as T;
}

/** Polls until `check` returns a value (back-channel logout is delivered asynchronously). */
export async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The server's discovery document (OpenID Connect Discovery 1.0 §4). */
export async function discoveryDocument(idp: Idp): Promise<Record<string, unknown>> {
  const res = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
  if (!res.ok) throw new Error(`discovery: ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}

/**
 * A logout token right in every claim but signed by a key the issuer never published: a
 * relying party that validates per Back-Channel Logout 1.0 §2.6 refuses it.
 */
export async function forgedLogoutToken(idp: Idp, clientId: string): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256');
  const jwks = (await (await fetch((await discoveryDocument(idp)).jwks_uri as string)).json()) as {
    keys: { kid?: string }[];
  };
  return new SignJWT({
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    sid: 'forged-session',
    sub: idp.user.id,
  })
    .setProtectedHeader({ alg: 'RS256', typ: 'logout+jwt', kid: jwks.keys[0]?.kid })
    .setIssuer(idp.issuer)
    .setAudience(clientId)
    .setIssuedAt()
    .setExpirationTime('2 minutes')
    .setJti(randomUUID())
    .sign(privateKey);
}
