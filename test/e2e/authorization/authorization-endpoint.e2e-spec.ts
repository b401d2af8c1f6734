import request from 'supertest';

import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import { adminCreateClient } from '../../setup/oauth';
import { startTestServer, TestServer } from '../../setup/test-server';
import { AUTHORIZATION_PATH, authorizationPath, pkcePair, redirectParams } from './browser';

const WEB = 'https://app.example.com/cb';
const WITH_QUERY = 'https://app.example.com/cb2?tenant=a';
const NATIVE = 'http://127.0.0.1/native/cb';

describe('authorization endpoint: where errors go', () => {
  let db: TestDatabase;
  let server: TestServer;
  let client: { client_id: string };
  let single: { client_id: string };
  let passwordOnly: { client_id: string };

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
    client = await adminCreateClient(server, { redirect_uris: [WEB, WITH_QUERY, NATIVE] });
    single = await adminCreateClient(server, { redirect_uris: [WEB] });
    passwordOnly = await adminCreateClient(server, {
      grant_types: ['password'],
      redirect_uris: [WEB],
    });
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  const valid = (params: Record<string, string> = {}) => ({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: WEB,
    scope: 'openid',
    state: 'xyz',
    ...params,
  });
  const get = (params: Record<string, string>) =>
    request(server.http).get(authorizationPath(params));

  function expectErrorPage(res: request.Response, code: string): void {
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain(`<code>${code}</code>`);
  }

  function expectRedirectError(
    res: request.Response,
    target: string,
    error: string,
    state?: string,
  ): void {
    expect(res.status).toBe(302);
    const location: string = res.headers.location;
    expect(location.startsWith(`${target}${target.includes('?') ? '&' : '?'}`)).toBe(true);
    expect(redirectParams(location)).toEqual({
      ...Object.fromEntries(new URL(target).searchParams),
      error,
      error_description: expect.any(String),
      ...(state === undefined ? {} : { state }),
    });
  }

  describe('shows an error page and never redirects', () => {
    it('without client_id', async () => {
      const { client_id: _omitted, ...params } = valid();

      expectErrorPage(await get(params), 'invalid_request');
    });

    it.each([
      ['an unknown client', '1f0c5a4e-0000-4000-8000-000000000000'],
      ['a client_id that is not a UUID', 'not-a-client'],
    ])('for %s', async (_case, clientId) => {
      expectErrorPage(await get(valid({ client_id: clientId })), 'invalid_client');
    });

    it('when client_id is repeated', async () => {
      const res = await request(server.http).get(
        `${authorizationPath(valid())}&client_id=${single.client_id}`,
      );

      expectErrorPage(res, 'invalid_request');
    });

    it.each([
      ['another host', 'https://evil.example.com/cb'],
      ['a look-alike host', 'https://app.example.com.evil.example.com/cb'],
      ['user info before another host', 'https://app.example.com@evil.example.com/cb'],
      ['a trailing slash', 'https://app.example.com/cb/'],
      ['a longer path', 'https://app.example.com/cb/more'],
      ['a dot segment', 'https://app.example.com/cb/../evil'],
      ['an added query', 'https://app.example.com/cb?next=https://evil.example.com'],
      ['a changed query', 'https://app.example.com/cb2?tenant=b'],
      ['a fragment', 'https://app.example.com/cb#x'],
      ['another case in the path', 'https://app.example.com/CB'],
      ['another case in the host', 'https://APP.example.com/cb'],
      ['plain http for an https URI', 'http://app.example.com/cb'],
      ['a port on a non-loopback URI', 'https://app.example.com:8443/cb'],
      ['percent-encoding', 'https://app.example.com/%63b'],
      ['a loopback URI with another path', 'http://127.0.0.1:5000/native/other'],
      ['a loopback URI with another host name', 'http://localhost:5000/native/cb'],
      ['a loopback URI over https', 'https://127.0.0.1:5000/native/cb'],
      ['a loopback address as user info', 'http://127.0.0.1@evil.example.com/native/cb'],
      [
        'a loopback address and port as user info',
        'http://127.0.0.1:5000@evil.example.com/native/cb',
      ],
      ['a non-URL', 'javascript:alert(1)'],
    ])('for a redirect_uri with %s', async (_case, redirectUri) => {
      const res = await get(valid({ redirect_uri: redirectUri }));

      expectErrorPage(res, 'invalid_request');
      expect(res.text).toContain('The redirect_uri is not registered for this client.');
    });

    it('for an unregistered redirect_uri even when other parameters are wrong too', async () => {
      expectErrorPage(
        await get(valid({ redirect_uri: 'https://evil.example.com/cb', response_type: 'token' })),
        'invalid_request',
      );
    });

    it('when redirect_uri is missing and the client registered several', async () => {
      const { redirect_uri: _omitted, ...params } = valid();

      expectErrorPage(await get(params), 'invalid_request');
    });

    it('when redirect_uri is repeated', async () => {
      const res = await request(server.http).get(
        `${authorizationPath(valid())}&redirect_uri=${encodeURIComponent(WITH_QUERY)}`,
      );

      expectErrorPage(res, 'invalid_request');
    });

    it('for a POST that is not a form', async () => {
      const res = await request(server.http).post(AUTHORIZATION_PATH).send(valid());

      expectErrorPage(res, 'invalid_request');
    });
  });

  describe('accepts a registered redirect URI', () => {
    it('for a loopback URI on any port (RFC 8252 §7.3), and answers on that port', async () => {
      const res = await get(
        valid({ redirect_uri: 'http://127.0.0.1:51234/native/cb', prompt: 'none' }),
      );

      expectRedirectError(res, 'http://127.0.0.1:51234/native/cb', 'login_required', 'xyz');
    });

    it('left out when the client registered exactly one', async () => {
      const { redirect_uri: _omitted, ...params } = valid({
        client_id: single.client_id,
        prompt: 'none',
      });

      expectRedirectError(await get(params), WEB, 'login_required', 'xyz');
    });

    it('keeping the query of the registered URI', async () => {
      expectRedirectError(
        await get(valid({ redirect_uri: WITH_QUERY, prompt: 'none' })),
        WITH_QUERY,
        'login_required',
        'xyz',
      );
    });
  });

  describe('redirects every later error with error, error_description and state', () => {
    it('without response_type', async () => {
      const { response_type: _omitted, ...params } = valid();

      expectRedirectError(await get(params), WEB, 'invalid_request', 'xyz');
    });

    it.each(['token', 'id_token', 'code id_token'])(
      'for response_type=%s',
      async (responseType) => {
        expectRedirectError(
          await get(valid({ response_type: responseType })),
          WEB,
          'unsupported_response_type',
          'xyz',
        );
      },
    );

    it('for a client that may not use the code flow', async () => {
      expectRedirectError(
        await get(valid({ client_id: passwordOnly.client_id })),
        WEB,
        'unauthorized_client',
        'xyz',
      );
    });

    it.each(['{', '{"id_token":{"email":true}}'])('for claims=%s (Core §5.5)', async (claims) => {
      expectRedirectError(await get(valid({ claims })), WEB, 'invalid_request', 'xyz');
    });

    it.each(['none login', 'bogus'])('for prompt=%s', async (prompt) => {
      expectRedirectError(await get(valid({ prompt })), WEB, 'invalid_request', 'xyz');
    });

    // PostgreSQL cannot store a NUL: caught only at the code's insert, after the sign-in, before.
    it.each([
      ['nonce', 'a\u0000b'],
      ['login_hint', 'ann\u001b[2J'],
      ['code_challenge', `${'a'.repeat(43)}\u0007`],
    ])('for a control character in %s', async (name, value) => {
      expectRedirectError(await get(valid({ [name]: value })), WEB, 'invalid_request', 'xyz');
    });

    it.each(['-1', 'soon', '1.5'])('for max_age=%s', async (maxAge) => {
      expectRedirectError(await get(valid({ max_age: maxAge })), WEB, 'invalid_request', 'xyz');
    });

    it('for request_uri', async () => {
      const res = await get(valid({ request_uri: 'https://app.example.com/request.jwt' }));

      expectRedirectError(res, WEB, 'request_uri_not_supported', 'xyz');
    });

    it('for a response_mode other than query', async () => {
      expectRedirectError(
        await get(valid({ response_mode: 'fragment' })),
        WEB,
        'invalid_request',
        'xyz',
      );
    });

    it('for a repeated parameter, without a repeated state', async () => {
      const scopes = await request(server.http).get(`${authorizationPath(valid())}&scope=openid`);
      const states = await request(server.http).get(`${authorizationPath(valid())}&state=other`);

      expectRedirectError(scopes, WEB, 'invalid_request', 'xyz');
      expectRedirectError(states, WEB, 'invalid_request');
    });

    it.each([
      ['code_challenge_method without code_challenge', { code_challenge_method: 'S256' }],
      [
        'a code_challenge that is too short',
        { code_challenge: 'abc', code_challenge_method: 'S256' },
      ],
      [
        'a code_challenge with characters outside the syntax',
        { code_challenge: `${'a'.repeat(42)}=`, code_challenge_method: 'S256' },
      ],
      // RFC 7636 §4.2: an S256 challenge is BASE64URL(SHA-256), exactly 43 characters; any other
      // would issue a code that no verifier can redeem.
      [
        'an S256 code_challenge longer than 43 characters',
        { code_challenge: 'a'.repeat(44), code_challenge_method: 'S256' },
      ],
      [
        'an S256 code_challenge with a character base64url lacks',
        { code_challenge: `${'a'.repeat(42)}~`, code_challenge_method: 'S256' },
      ],
      [
        'an unknown code_challenge_method',
        { code_challenge: pkcePair().challenge, code_challenge_method: 'S512' },
      ],
    ])('for %s', async (_case, params) => {
      expectRedirectError(await get(valid(params)), WEB, 'invalid_request', 'xyz');
    });

    it('returning the state exactly as sent', async () => {
      const state = 'a b&c=d/é?%20';

      const res = await get(valid({ state, prompt: 'none' }));

      expectRedirectError(res, WEB, 'login_required', state);
    });

    it('leaving state out when the request had none', async () => {
      const { state: _omitted, ...params } = valid({ prompt: 'none' });

      expectRedirectError(await get(params), WEB, 'login_required');
    });
  });

  describe('POST (OIDC Core §3.1.2.1)', () => {
    it('takes the parameters from a form and redirects errors with 303', async () => {
      const res = await request(server.http)
        .post(AUTHORIZATION_PATH)
        .type('form')
        .send(valid({ prompt: 'none' }));

      expect(res.status).toBe(303);
      expect(redirectParams(res.headers.location)).toEqual({
        error: 'login_required',
        error_description: expect.any(String),
        state: 'xyz',
      });
    });

    it('shows the login page for a valid request', async () => {
      const res = await request(server.http).post(AUTHORIZATION_PATH).type('form').send(valid());

      expect(res.status).toBe(200);
      expect(res.text).toContain('<form method="post"');
    });
  });
});
