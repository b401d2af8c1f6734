import request from 'supertest';

import { LogCapture } from '../../setup/log-capture';
import { LoopbackSmsGateway, otpIn } from '../../setup/loopback-sms-gateway';
import { adminCreateClient, adminCreateUser, basic, postForm } from '../../setup/oauth';
import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import {
  newMasterKey,
  startTestServer,
  TEST_ADMIN_TOKEN,
  TestServer,
} from '../../setup/test-server';
import { Browser, pkcePair, redirectParams } from '../authorization/browser';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SMS = 'http://globalsign.com/iam/sso/oauth2/grant-type/sms-mt-otp';
const REDIRECT = 'https://app.example.com/cb';
const PASSWORD = 'Tr0ub4dor-and-3-more-words';

describe('request ids and log lines (CONTRACT §5)', () => {
  const masterKey = newMasterKey();
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  describe('X-Request-Id', () => {
    let server: TestServer;

    beforeAll(async () => {
      server = await startTestServer({ databaseUrl: db.url, masterKey });
    });

    afterAll(async () => {
      await server?.close();
    });

    it('keeps a well-formed incoming id, on success, error and unknown paths alike', async () => {
      for (const [path, id] of [
        ['/health', 'req-1.abc:def'],
        ['/uas/oauth2/userinfo', '3f2c9a1e-7b5d-4c8e-9f0a-1b2c3d4e5f60'],
        ['/nowhere', 'AbC_09+/='],
      ] as const) {
        const res = await request(server.http).get(path).set('X-Request-Id', id);

        expect(res.headers['x-request-id']).toBe(id);
      }
    });

    it('makes a fresh UUID when there is none or it is malformed', async () => {
      const ids = [];
      for (const incoming of [undefined, 'two words', 'x'.repeat(129), 'a;b', '"quoted"', '']) {
        const req = request(server.http).get('/health');
        const res = await (incoming === undefined ? req : req.set('X-Request-Id', incoming));
        ids.push(res.headers['x-request-id']);
      }

      for (const id of ids) expect(id).toMatch(UUID);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('is on responses no route produced: an oversized body and a CORS preflight', async () => {
      const tooLarge = await request(server.http)
        .post('/uas/oauth2/token')
        .type('form')
        .send(`a=${'x'.repeat(70_000)}`);
      const preflight = await request(server.http)
        .options('/uas/oauth2/token')
        .set('Origin', 'https://spa.example.com')
        .set('Access-Control-Request-Method', 'POST');

      expect(tooLarge.status).toBe(413);
      expect(tooLarge.headers['x-request-id']).toMatch(UUID);
      expect(preflight.status).toBe(204);
      expect(preflight.headers['x-request-id']).toMatch(UUID);
    });
  });

  describe('a full run at LOG_LEVEL=verbose', () => {
    const gateway = new LoopbackSmsGateway();
    const logs = new LogCapture();
    /** Every value a log line must never contain. */
    const secrets = new Map<string, string>();
    /** The request ids the server answered with. */
    const requestIds: string[] = [];
    let server: TestServer;

    const keep = (name: string, value: string | undefined) => {
      if (!value) throw new Error(`no ${name}`);
      secrets.set(name, value);
      return value;
    };
    const seen = (res: request.Response) => {
      requestIds.push(res.headers['x-request-id']);
      return res;
    };

    beforeAll(async () => {
      server = await startTestServer({
        databaseUrl: db.url,
        masterKey,
        logDestination: logs,
        env: { LOG_LEVEL: 'verbose', SMS_GATEWAY_URL: await gateway.start() },
      });
      keep('admin token', TEST_ADMIN_TOKEN);
      const web = await adminCreateClient(server, {
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'refresh_token', 'password'],
      });
      const otp = await adminCreateClient(server, { grant_types: [SMS] });
      await adminCreateUser(server, { username: 'alice', password: keep('password', PASSWORD) });
      const webAuth = basic(web.client_id, keep('client secret', web.client_secret));
      const otpAuth = basic(otp.client_id, keep('OTP client secret', otp.client_secret));
      const token = async (params: Record<string, string>, auth: string) =>
        seen(await postForm(server, '/oauth2/token', params, auth));

      // Authorization code flow with PKCE through the login page.
      const browser = new Browser(server);
      const pkce = pkcePair();
      keep('code verifier', pkce.verifier);
      const form = await browser.openLoginPage({
        response_type: 'code',
        client_id: web.client_id,
        redirect_uri: REDIRECT,
        scope: 'openid',
        state: 'state-value',
        nonce: 'nonce-value',
        code_challenge: pkce.challenge,
        code_challenge_method: 'S256',
      });
      seen(await browser.submitLogin(form, 'alice', 'wrong-password-value-1'));
      keep('wrong password', 'wrong-password-value-1');
      const signedIn = seen(await browser.submitLogin(form, 'alice', PASSWORD));
      const code = keep('authorization code', redirectParams(signedIn.headers.location).code);
      for (const [name, value] of browser.cookies) keep(`cookie ${name}`, value);
      const redeemed = await token(
        {
          grant_type: 'authorization_code',
          code,
          redirect_uri: REDIRECT,
          code_verifier: pkce.verifier,
        },
        webAuth,
      );
      expect(redeemed.status).toBe(200);
      const accessToken = keep('access token', redeemed.body.access_token);
      keep('ID token', redeemed.body.id_token);
      const refreshToken = keep('refresh token', redeemed.body.refresh_token);

      // Refresh, userinfo, introspection, revocation.
      const refreshed = await token(
        { grant_type: 'refresh_token', refresh_token: refreshToken },
        webAuth,
      );
      expect(refreshed.status).toBe(200);
      keep('rotated refresh token', refreshed.body.refresh_token);
      keep('second access token', refreshed.body.access_token);
      expect(
        seen(
          await request(server.http)
            .get('/uas/oauth2/userinfo')
            .set('Authorization', `Bearer ${accessToken}`),
        ).status,
      ).toBe(200);
      expect(
        seen(await postForm(server, '/oauth2/introspection', { token: accessToken }, webAuth)).body
          .active,
      ).toBe(true);
      expect(
        seen(
          await postForm(
            server,
            '/oauth2/revocation',
            { token: refreshed.body.refresh_token },
            webAuth,
          ),
        ).status,
      ).toBe(200);
      // A replayed code (which also revokes what it gave, RFC 6749 §4.1.2).
      const replayed = await token(
        {
          grant_type: 'authorization_code',
          code,
          redirect_uri: REDIRECT,
          code_verifier: pkce.verifier,
        },
        webAuth,
      );
      expect(replayed.status).toBe(400);

      // Password grant: right and wrong password; a wrong client secret.
      expect(
        (
          await token(
            { grant_type: 'password', username: 'alice', password: PASSWORD, scope: 'openid' },
            webAuth,
          )
        ).status,
      ).toBe(200);
      expect(
        (
          await token(
            { grant_type: 'password', username: 'alice', password: 'wrong-password-value-2' },
            webAuth,
          )
        ).status,
      ).toBe(400);
      keep('second wrong password', 'wrong-password-value-2');
      expect(
        (
          await token(
            { grant_type: 'client_credentials' },
            basic(web.client_id, keep('wrong secret', 'not-the-secret-0123456789')),
          )
        ).status,
      ).toBe(401);

      // SMS OTP: initiate, a wrong code, then the right one on a new challenge.
      const first = await token(
        { grant_type: SMS, scope: 'openid', username: '+358401234567' },
        otpAuth,
      );
      const wrongReference = keep('OTP reference', first.body.x_globalsign_iam_challenge.reference);
      const firstCode = keep('OTP', otpIn(gateway.texts.at(-1)!.challenge));
      const wrongCode = firstCode === '00000000' ? '00000001' : '00000000';
      expect(
        (
          await token(
            {
              grant_type: SMS,
              scope: 'openid',
              username: '+358401234567',
              x_globalsign_iam_reference_id: wrongReference,
              x_globalsign_iam_otp_code: wrongCode,
            },
            otpAuth,
          )
        ).status,
      ).toBe(400);
      const second = await token(
        { grant_type: SMS, scope: 'openid', username: '+358401234567' },
        otpAuth,
      );
      const reference = keep(
        'second OTP reference',
        second.body.x_globalsign_iam_challenge.reference,
      );
      const otpCode = keep('second OTP', otpIn(gateway.texts.at(-1)!.challenge));
      const validated = await token(
        {
          grant_type: SMS,
          scope: 'openid',
          username: '+358401234567',
          x_globalsign_iam_reference_id: reference,
          x_globalsign_iam_otp_code: otpCode,
        },
        otpAuth,
      );
      expect(validated.status).toBe(200);
      keep('OTP access token', validated.body.access_token);

      // A token in the query of an unknown path.
      expect(
        seen(await request(server.http).get(`/uas/oauth2/nowhere?access_token=${accessToken}`))
          .status,
      ).toBe(404);

      await logs.waitFor((lines) =>
        requestIds.every((id) => lines.some((line) => line.includes(id))),
      );
    });

    afterAll(async () => {
      await server?.close();
      await gateway.stop();
    });

    it('writes only JSON lines, each with a level, a time and a message', () => {
      const lines = logs.lines();

      expect(lines.length).toBeGreaterThan(requestIds.length);
      for (const line of lines) {
        expect(JSON.parse(line)).toEqual(
          expect.objectContaining({
            level: expect.any(String),
            time: expect.any(String),
            msg: expect.any(String),
          }),
        );
      }
    });

    it('writes one access line per request with its req_id, route template and status, and no query', () => {
      const access = logs
        .lines()
        .map((line) => JSON.parse(line))
        .filter((entry) => entry.msg === 'request');

      for (const id of requestIds) {
        expect(access.filter((entry) => entry.req_id === id)).toEqual([
          {
            level: 'info',
            time: expect.any(String),
            pid: process.pid,
            hostname: expect.any(String),
            msg: 'request',
            req_id: id,
            method: expect.any(String),
            path: expect.stringMatching(/^\/[^?]*$/),
            route: expect.any(String),
            status: expect.any(Number),
            duration_ms: expect.any(Number),
          },
        ]);
      }
      expect(access).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ method: 'POST', route: '/uas/oauth2/token', status: 200 }),
          expect.objectContaining({
            method: 'GET',
            path: '/uas/oauth2/nowhere',
            route: 'unmatched',
            status: 404,
          }),
        ]),
      );
    });

    it('logs Nest and library lines through the same logger, details included at this level', () => {
      const entries = logs.lines().map((line) => JSON.parse(line));

      expect(entries).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ level: 'info', context: 'RouterExplorer' }),
          expect.objectContaining({
            level: 'debug',
            context: 'Errors',
            msg: expect.stringMatching(/^invalid_client: /),
          }),
        ]),
      );
    });

    it('never contains a password, secret, code, token, cookie or OTP that the run used', () => {
      const text = logs.lines().join('\n');
      const decoded = logs
        .lines()
        .map((line) => JSON.stringify(Object.values(JSON.parse(line))))
        .join('\n');

      expect(secrets.size).toBeGreaterThanOrEqual(18);
      const leaked = [...secrets]
        .filter(([, value]) => text.includes(value) || decoded.includes(value))
        .map(([name]) => name);
      expect(leaked).toEqual([]);
    });
  });

  describe('the generated admin token', () => {
    it.each(['json', 'pretty'])(
      'is printed once in %s format, whatever LOG_LEVEL is, and works',
      async (format) => {
        const logs = new LogCapture();
        const server = await startTestServer({
          databaseUrl: db.url,
          masterKey,
          logDestination: logs,
          env: { ADMIN_TOKEN: '', LOG_LEVEL: 'fatal', LOG_FORMAT: format },
        });
        try {
          const lines = await logs.waitFor((all) =>
            all.some((line) => line.includes('admin token (this process only)')),
          );
          const printed = lines.filter((line) => line.includes('admin token'));
          expect(printed).toHaveLength(1);
          if (format === 'json')
            expect(JSON.parse(printed[0])).toEqual(
              expect.objectContaining({ level: 'info', msg: expect.any(String) }),
            );
          else expect(() => JSON.parse(printed[0])).toThrow();
          const token = /admin token \(this process only\): ([A-Za-z0-9_-]{43})/.exec(
            printed[0],
          )![1];

          const res = await request(server.http)
            .get('/admin/v1/clients')
            .set('Authorization', `Bearer ${token}`);

          expect(res.status).toBe(200);
          // LOG_LEVEL=fatal: nothing else, not even access lines.
          expect(logs.lines()).toEqual(printed);
        } finally {
          await server.close();
        }
      },
    );
  });
});
