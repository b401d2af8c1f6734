import { createHash } from 'node:crypto';

import { jwtVerify } from 'jose';
import { Client } from 'pg';
import request from 'supertest';

import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import {
  adminCreateClient,
  adminCreateUser,
  basic,
  postForm,
  serverKeySet,
} from '../../setup/oauth';
import { startTestServer, TestServer } from '../../setup/test-server';
import { authorizationPath, Browser, pkcePair, redirectParams } from './browser';

const REDIRECT = 'https://app.example.com/cb';
const OTHER_REDIRECT = 'https://app.example.com/other';
const NATIVE = 'http://127.0.0.1/callback';
const PASSWORD = 'correct horse battery';

interface TestClient {
  client_id: string;
  client_secret?: string;
}

describe('authorization_code grant', () => {
  let db: TestDatabase;
  let server: TestServer;
  let browser: Browser;
  let user: { id: string };
  let web: TestClient;
  let single: TestClient;
  let other: TestClient;
  let spa: TestClient;
  let legacyPlain: TestClient;
  let pkceRequired: TestClient;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url, env: { CODE_TTL_SECONDS: '60' } });
    web = await adminCreateClient(server, {
      redirect_uris: [REDIRECT, OTHER_REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
    });
    single = await adminCreateClient(server, { redirect_uris: [REDIRECT] });
    other = await adminCreateClient(server, { redirect_uris: [REDIRECT] });
    spa = await adminCreateClient(server, {
      redirect_uris: [NATIVE],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
    });
    legacyPlain = await adminCreateClient(server, {
      redirect_uris: [REDIRECT],
      code_challenge_method: 'plain',
    });
    pkceRequired = await adminCreateClient(server, {
      redirect_uris: [REDIRECT],
      code_challenge_method: 'S256',
    });
    user = await adminCreateUser(server, { username: 'alice', password: PASSWORD });
    browser = new Browser(server);
    await browser.signIn(authorizeParams(web), 'alice', PASSWORD);
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  function authorizeParams(
    client: TestClient,
    extra: Record<string, string> = {},
  ): Record<string, string> {
    return {
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: 'st',
      ...extra,
    };
  }

  /** A code for `client` from the signed-in browser. */
  async function codeFor(client: TestClient, extra: Record<string, string> = {}): Promise<string> {
    const res = await browser.get(authorizationPath(authorizeParams(client, extra)));
    expect(res.status).toBe(302);
    const params = redirectParams(res.headers.location);
    if (!params.code) throw new Error(`no code: ${res.headers.location}`);
    return params.code;
  }

  /** The redirect's parameters when the request is refused. */
  async function refusal(
    client: TestClient,
    extra: Record<string, string>,
  ): Promise<Record<string, string>> {
    const res = await browser.get(authorizationPath(authorizeParams(client, extra)));
    expect(res.status).toBe(302);
    return redirectParams(res.headers.location);
  }

  function redeem(client: TestClient, params: Record<string, string>) {
    const auth = client.client_secret ? basic(client.client_id, client.client_secret) : undefined;
    const body = {
      grant_type: 'authorization_code',
      ...(auth ? {} : { client_id: client.client_id }),
      ...params,
    };
    return postForm(server, '/oauth2/token', body, auth);
  }

  const introspect = (token: string) =>
    postForm(server, '/oauth2/introspection', { token }, basic(web.client_id, web.client_secret!));

  function expectInvalidGrant(res: request.Response): void {
    expect(res.status).toBe(400);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
  }

  it('issues access, ID and refresh tokens for a code, with nonce and auth_time', async () => {
    const code = await codeFor(web, { nonce: 'nonce-1' });

    const res = await redeem(web, { code, redirect_uri: REDIRECT });

    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'openid',
      id_token: expect.any(String),
      refresh_token: expect.any(String),
    });
    const jwks = await serverKeySet(server);
    const { payload } = await jwtVerify(res.body.id_token, jwks, {
      issuer: server.issuer,
      audience: web.client_id,
      currentDate: server.clock.now(),
    });
    expect(payload).toEqual({
      iss: server.issuer,
      sub: user.id,
      aud: web.client_id,
      azp: web.client_id,
      exp: server.clock.nowSeconds() + 3600,
      iat: server.clock.nowSeconds(),
      auth_time: expect.any(Number),
      amr: ['pwd'],
      acr: 'urn:uas:acr:pwd',
      nonce: 'nonce-1',
      // Back-Channel Logout 1.0 §2.1: the session the code was issued in.
      sid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      at_hash: expect.any(String),
      // CONTRACT "Scopes and claims": openid alone releases every claim scope's claims.
      groups: [],
      updated_at: expect.any(Number),
    });
    expect((await introspect(res.body.access_token)).body).toMatchObject({
      active: true,
      sub: user.id,
    });
  });

  it('stores only a hash of the code, bound to client, redirect URI, challenge, nonce, scope and session', async () => {
    const { challenge } = pkcePair();
    const code = await codeFor(web, {
      nonce: 'n-stored',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const pg = new Client({ connectionString: db.url });
    await pg.connect();

    const rows = await pg
      .query(
        'SELECT client_id, redirect_uri, scope, nonce, code_challenge, code_challenge_method, session_id_hash, expires_at - created_at AS ttl FROM authorization_codes WHERE code_hash = $1',
        [createHash('sha256').update(code).digest()],
      )
      .finally(() => pg.end());

    expect(rows.rows).toEqual([
      {
        client_id: web.client_id,
        redirect_uri: REDIRECT,
        scope: 'openid',
        nonce: 'n-stored',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        session_id_hash: createHash('sha256').update(browser.cookies.get('uas_session')!).digest(),
        ttl: { minutes: 1 },
      },
    ]);
  });

  describe('a code is used once', () => {
    it('refuses a second redemption and revokes every token the first one issued (RFC 6749 §4.1.2)', async () => {
      const code = await codeFor(web);
      const first = await redeem(web, { code, redirect_uri: REDIRECT });
      expect(first.status).toBe(200);

      const second = await redeem(web, { code, redirect_uri: REDIRECT });

      expectInvalidGrant(second);
      expect((await introspect(first.body.access_token)).body).toEqual({ active: false });
      expect((await introspect(first.body.refresh_token)).body).toEqual({ active: false });
      expectInvalidGrant(
        await postForm(
          server,
          '/oauth2/token',
          { grant_type: 'refresh_token', refresh_token: first.body.refresh_token },
          basic(web.client_id, web.client_secret!),
        ),
      );
    });

    it('leaves no working token when two redemptions race', async () => {
      const code = await codeFor(web);

      const results = await Promise.all([
        redeem(web, { code, redirect_uri: REDIRECT }),
        redeem(web, { code, redirect_uri: REDIRECT }),
      ]);

      // The loser is refused; the winner either notices the replay before answering or its tokens are revoked.
      expect(results.filter((r) => r.status === 400)).not.toHaveLength(0);
      for (const issued of results.filter((r) => r.status === 200)) {
        expect((await introspect(issued.body.access_token)).body).toEqual({ active: false });
        expect((await introspect(issued.body.refresh_token)).body).toEqual({ active: false });
      }
    });

    it('outlives a new sign-in that replaces the session it came from, and is still found when replayed', async () => {
      const other = new Browser(server);
      await other.signIn(authorizeParams(web), 'alice', PASSWORD);
      const { code } = redirectParams(
        (await other.get(authorizationPath(authorizeParams(web)))).headers.location,
      );
      await other.signIn(authorizeParams(web, { prompt: 'login' }), 'alice', PASSWORD);

      const first = await redeem(web, { code, redirect_uri: REDIRECT });
      await other.signIn(authorizeParams(web, { prompt: 'login' }), 'alice', PASSWORD);
      const replay = await redeem(web, { code, redirect_uri: REDIRECT });

      expect(first.status).toBe(200);
      expectInvalidGrant(replay);
      expect((await introspect(first.body.access_token)).body).toEqual({ active: false });
    });

    it('refuses a code after CODE_TTL_SECONDS', async () => {
      const code = await codeFor(web);
      server.clock.advance(60);

      expectInvalidGrant(await redeem(web, { code, redirect_uri: REDIRECT }));
    });

    it('refuses an unknown code', async () => {
      expectInvalidGrant(await redeem(web, { code: 'A'.repeat(43), redirect_uri: REDIRECT }));
    });

    it('requires code', async () => {
      const res = await redeem(web, { redirect_uri: REDIRECT });

      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_request');
    });

    it("refuses another client's code, which its own client can still redeem", async () => {
      const code = await codeFor(single);

      expectInvalidGrant(await redeem(other, { code, redirect_uri: REDIRECT }));
      expect((await redeem(single, { code, redirect_uri: REDIRECT })).status).toBe(200);
    });

    it('refuses the code at the token endpoint of a client that authenticates wrongly', async () => {
      const code = await codeFor(single);

      const res = await postForm(
        server,
        '/oauth2/token',
        { grant_type: 'authorization_code', code, redirect_uri: REDIRECT },
        basic(single.client_id, 'wrong'),
      );

      expect(res.status).toBe(401);
      expect((await redeem(single, { code, redirect_uri: REDIRECT })).status).toBe(200);
    });
  });

  describe('redirect_uri (RFC 6749 §4.1.3)', () => {
    it('must be the one of the authorization request', async () => {
      const code = await codeFor(web, { redirect_uri: OTHER_REDIRECT });

      expectInvalidGrant(await redeem(web, { code, redirect_uri: REDIRECT }));
    });

    it('must be sent when the authorization request sent it', async () => {
      const code = await codeFor(web);

      expectInvalidGrant(await redeem(web, { code }));
    });

    it('may be left out at both steps by a client with one registered URI', async () => {
      const { redirect_uri: _omitted, ...params } = authorizeParams(single);
      const res = await browser.get(authorizationPath(params));
      const { code } = redirectParams(res.headers.location);

      expect((await redeem(single, { code })).status).toBe(200);
    });

    it('must match the registered one when sent only at the token endpoint', async () => {
      const { redirect_uri: _omitted, ...params } = authorizeParams(single);
      const { code } = redirectParams(
        (await browser.get(authorizationPath(params))).headers.location,
      );

      expectInvalidGrant(
        await redeem(single, { code, redirect_uri: 'https://evil.example.com/cb' }),
      );
    });

    it('burns the code when it does not match', async () => {
      const code = await codeFor(web);
      await redeem(web, { code, redirect_uri: OTHER_REDIRECT });

      expectInvalidGrant(await redeem(web, { code, redirect_uri: REDIRECT }));
    });
  });

  describe('PKCE (RFC 7636)', () => {
    it('S256: the right verifier gets the tokens', async () => {
      const { verifier, challenge } = pkcePair();
      const code = await codeFor(web, { code_challenge: challenge, code_challenge_method: 'S256' });

      expect(
        (await redeem(web, { code, redirect_uri: REDIRECT, code_verifier: verifier })).status,
      ).toBe(200);
    });

    it('S256: a wrong verifier fails and burns the code', async () => {
      const { verifier, challenge } = pkcePair();
      const code = await codeFor(web, { code_challenge: challenge, code_challenge_method: 'S256' });

      expectInvalidGrant(
        await redeem(web, { code, redirect_uri: REDIRECT, code_verifier: pkcePair().verifier }),
      );
      expectInvalidGrant(
        await redeem(web, { code, redirect_uri: REDIRECT, code_verifier: verifier }),
      );
    });

    it('S256: the challenge itself is no verifier', async () => {
      const { challenge } = pkcePair();
      const code = await codeFor(web, { code_challenge: challenge, code_challenge_method: 'S256' });

      expectInvalidGrant(
        await redeem(web, { code, redirect_uri: REDIRECT, code_verifier: challenge }),
      );
    });

    it('a challenge without a verifier fails', async () => {
      const { challenge } = pkcePair();
      const code = await codeFor(web, { code_challenge: challenge, code_challenge_method: 'S256' });

      expectInvalidGrant(await redeem(web, { code, redirect_uri: REDIRECT }));
    });

    it('a verifier without a challenge fails (a PKCE downgrade)', async () => {
      const code = await codeFor(web);

      expectInvalidGrant(
        await redeem(web, { code, redirect_uri: REDIRECT, code_verifier: pkcePair().verifier }),
      );
    });

    // RFC 7636 §4.1: 43 to 128 unreserved characters; the challenge is the verifier's true S256,
    // so only the syntax check can refuse it.
    it.each([
      ['a character outside the syntax', `${'a'.repeat(42)}=`],
      ['42 characters', 'a'.repeat(42)],
      ['129 characters', 'a'.repeat(129)],
      ['a space', `${'a'.repeat(21)} ${'a'.repeat(21)}`],
      ['a non-ASCII letter', `${'a'.repeat(42)}é`],
    ])('a verifier of the wrong syntax fails: %s', async (_case, verifier) => {
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const code = await codeFor(web, { code_challenge: challenge, code_challenge_method: 'S256' });

      expectInvalidGrant(
        await redeem(web, { code, redirect_uri: REDIRECT, code_verifier: verifier }),
      );
    });

    it.each([
      ['with code_challenge_method=plain', { code_challenge_method: 'plain' }],
      ['without code_challenge_method (plain by default)', {}],
    ])('plain is refused from a client that did not register it: %s', async (_case, method) => {
      const answer = await refusal(web, { code_challenge: pkcePair().verifier, ...method });

      expect(answer).toEqual({
        error: 'invalid_request',
        error_description: expect.any(String),
        state: 'st',
      });
    });

    it('plain works for a confidential client that registered it', async () => {
      const { verifier } = pkcePair();
      const plainCode = () =>
        codeFor(legacyPlain, { code_challenge: verifier, code_challenge_method: 'plain' });

      expect(
        (
          await redeem(legacyPlain, {
            code: await plainCode(),
            redirect_uri: REDIRECT,
            code_verifier: verifier,
          })
        ).status,
      ).toBe(200);
      expectInvalidGrant(
        await redeem(legacyPlain, {
          code: await plainCode(),
          redirect_uri: REDIRECT,
          code_verifier: pkcePair().verifier,
        }),
      );
    });

    it('a client that registered code_challenge_method must use PKCE', async () => {
      expect(await refusal(pkceRequired, {})).toMatchObject({
        error: 'invalid_request',
        state: 'st',
      });
      expect(
        await refusal(pkceRequired, {
          code_challenge: pkcePair().verifier,
          code_challenge_method: 'plain',
        }),
      ).toMatchObject({ error: 'invalid_request' });
    });
  });

  describe('public clients (token_endpoint_auth_method none)', () => {
    it('get tokens with S256 and their client_id, on a loopback redirect URI of any port', async () => {
      const { verifier, challenge } = pkcePair();
      const redirectUri = 'http://127.0.0.1:49152/callback';
      const code = await codeFor(spa, {
        redirect_uri: redirectUri,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });

      const res = await redeem(spa, { code, redirect_uri: redirectUri, code_verifier: verifier });

      expect(res.status).toBe(200);
      expect(res.body.refresh_token).toEqual(expect.any(String));
    });

    it('must send a code_challenge', async () => {
      expect(await refusal(spa, { redirect_uri: NATIVE })).toEqual({
        error: 'invalid_request',
        error_description: expect.any(String),
        state: 'st',
      });
    });

    it('may not downgrade to plain', async () => {
      expect(
        await refusal(spa, {
          redirect_uri: NATIVE,
          code_challenge: pkcePair().verifier,
          code_challenge_method: 'plain',
        }),
      ).toMatchObject({
        error: 'invalid_request',
      });
    });

    it('must send the verifier', async () => {
      const { challenge } = pkcePair();
      const code = await codeFor(spa, {
        redirect_uri: NATIVE,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });

      expectInvalidGrant(await redeem(spa, { code, redirect_uri: NATIVE }));
    });
  });

  it('is refused to a client whose grant_types do not list it', async () => {
    const passwordClient = await adminCreateClient(server, { grant_types: ['password'] });

    const res = await postForm(
      server,
      '/oauth2/token',
      { grant_type: 'authorization_code', code: 'x', redirect_uri: REDIRECT },
      basic(passwordClient.client_id, passwordClient.client_secret!),
    );

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'unauthorized_client',
      error_description: expect.any(String),
    });
  });
});
