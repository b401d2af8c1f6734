import { createSign, generateKeyPairSync, KeyObject, randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, createServer as createTcpServer, Server as TcpServer } from 'node:net';

import { Client } from 'pg';

import { FixedClock } from '@app/config';

import { adminCreateClient, postForm } from '../setup/oauth';
import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { newMasterKey, startTestServer, TestServer } from '../setup/test-server';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const ISSUER = 'http://idp.example/uas';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

function rsaKeyPair(modulusLength: number): {
  privateKey: KeyObject;
  jwk: Record<string, unknown>;
} {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength });
  return { privateKey, jwk: publicKey.export({ format: 'jwk' }) };
}

/** An RS256 JWT signed with node:crypto, which (unlike jose) signs with a short key too. */
function rs256(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  key: KeyObject,
): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const input = `${encode({ alg: 'RS256', ...header })}.${encode(claims)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(key).toString('base64url')}`;
}

/**
 * Requests to client-registered URLs (CONTRACT §3 "Outbound requests", §4): a failed jwks_uri
 * fetch is not retried within 10 s, loopback and private addresses are refused with
 * OUTBOUND_DENY_PRIVATE, link-local and "this host" addresses always, redirects are not
 * followed, and fetched RSA keys under 2048 bits are never used.
 */
describe('outbound requests to client jwks_uri', () => {
  let db: TestDatabase;
  let clock: FixedClock;
  let a: TestServer;
  let b: TestServer;
  let strict: TestServer;
  let jwksServer: Server;
  let jwksOrigin: string;
  const handlers = new Map<string, Handler>();
  const hits = new Map<string, number>();
  const signing = rsaKeyPair(2048);
  const published = { ...signing.jwk, kid: 'rp-sig', use: 'sig', alg: 'RS256' };

  beforeAll(async () => {
    db = await createTestDatabase();
    const masterKey = newMasterKey();
    clock = new FixedClock(new Date());
    // One deployment (a, b) and one that refuses private addresses, all on one database and clock.
    a = await startTestServer({ databaseUrl: db.url, masterKey, clock, env: { ISSUER } });
    b = await startTestServer({ databaseUrl: db.url, masterKey, clock, env: { ISSUER } });
    strict = await startTestServer({
      databaseUrl: db.url,
      masterKey,
      clock,
      env: { ISSUER, OUTBOUND_DENY_PRIVATE: 'true' },
    });
    jwksServer = createServer((req, res) => {
      const path = req.url ?? '';
      hits.set(path, (hits.get(path) ?? 0) + 1);
      (handlers.get(path) ?? fail(500))(req, res);
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    jwksOrigin = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close(), strict?.close()]);
    jwksServer?.closeAllConnections();
    await new Promise((resolve) => jwksServer?.close(resolve));
    await db?.drop();
  });

  const serve =
    (keys: Record<string, unknown>[]): Handler =>
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/jwk-set+json' });
      res.end(JSON.stringify({ keys }));
    };
  const fail =
    (status: number): Handler =>
    (_req, res) => {
      res.writeHead(status);
      res.end();
    };

  /** A private_key_jwt client whose jwks_uri is `path` on the test's JWKS server. */
  async function clientWithJwksUri(path: string): Promise<string> {
    const client = await adminCreateClient(a, {
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks_uri: `${jwksOrigin}${path}`,
    });
    return client.client_id;
  }

  function assertion(
    clientId: string,
    key = signing.privateKey,
    header: Record<string, unknown> = { kid: 'rp-sig' },
  ): string {
    const now = clock.nowSeconds();
    return rs256(
      header,
      { iss: clientId, sub: clientId, aud: ISSUER, jti: randomUUID(), iat: now, exp: now + 300 },
      key,
    );
  }

  const tokenRequest = (server: TestServer, clientId: string, jwt = assertion(clientId)) =>
    postForm(server, '/oauth2/token', {
      grant_type: 'client_credentials',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: jwt,
    });

  async function expectInvalidClient(server: TestServer, clientId: string): Promise<void> {
    const res = await tokenRequest(server, clientId);
    expect({ status: res.status, body: res.body }).toEqual({
      status: 401,
      body: { error: 'invalid_client', error_description: expect.any(String) },
    });
  }

  describe('a failing jwks_uri', () => {
    it('is fetched once for a burst of assertions, concurrent and one after another', async () => {
      handlers.set('/failing', fail(500));
      const clientId = await clientWithJwksUri('/failing');

      await Promise.all(Array.from({ length: 5 }, () => expectInvalidClient(a, clientId)));
      for (let i = 0; i < 5; i++) await expectInvalidClient(a, clientId);

      expect(hits.get('/failing')).toBe(1);
    });

    it('is fetched again only once 10 seconds have passed, and its keys work then', async () => {
      handlers.set('/recovering', fail(503));
      const clientId = await clientWithJwksUri('/recovering');
      await expectInvalidClient(a, clientId);
      handlers.set('/recovering', serve([published]));
      clock.advance(9);

      await expectInvalidClient(a, clientId);
      expect(hits.get('/recovering')).toBe(1);
      clock.advance(1);
      const res = await tokenRequest(a, clientId);

      expect(res.status).toBe(200);
      expect(hits.get('/recovering')).toBe(2);
    });

    it('waits twice as long after a second failure', async () => {
      handlers.set('/down', fail(500));
      const clientId = await clientWithJwksUri('/down');
      await expectInvalidClient(a, clientId);
      clock.advance(10);
      await expectInvalidClient(a, clientId);
      clock.advance(19);

      await expectInvalidClient(a, clientId);
      expect(hits.get('/down')).toBe(2);
      clock.advance(1);
      await expectInvalidClient(a, clientId);
      expect(hits.get('/down')).toBe(3);
    });

    it('is fetched at most once within 10 seconds by each instance', async () => {
      handlers.set('/failing-everywhere', fail(500));
      const clientId = await clientWithJwksUri('/failing-everywhere');

      for (let i = 0; i < 3; i++) {
        await expectInvalidClient(a, clientId);
        await expectInvalidClient(b, clientId);
      }

      expect(hits.get('/failing-everywhere')).toBe(2);
    });
  });

  describe('OUTBOUND_DENY_PRIVATE', () => {
    it('with true, refuses a loopback jwks_uri without a request reaching it', async () => {
      handlers.set('/loopback', serve([published]));
      const clientId = await clientWithJwksUri('/loopback');

      await expectInvalidClient(strict, clientId);

      expect(hits.get('/loopback')).toBeUndefined();
    });

    it('by default (false), fetches a loopback jwks_uri: the development case keeps working', async () => {
      handlers.set('/loopback-default', serve([published]));
      const clientId = await clientWithJwksUri('/loopback-default');

      const res = await tokenRequest(a, clientId);

      expect(res.status).toBe(200);
      expect(hits.get('/loopback-default')).toBe(1);
    });
  });

  it('does not follow a redirect from the jwks_uri', async () => {
    handlers.set('/moved', (_req, res) => {
      res.writeHead(302, { location: `${jwksOrigin}/moved-here` });
      res.end();
    });
    handlers.set('/moved-here', serve([published]));
    const clientId = await clientWithJwksUri('/moved');

    await expectInvalidClient(a, clientId);

    expect(hits.get('/moved')).toBe(1);
    expect(hits.get('/moved-here')).toBeUndefined();
  });

  describe('an address that is always refused', () => {
    let tcp: TcpServer;
    let connections = 0;

    beforeAll(async () => {
      tcp = createTcpServer((socket) => {
        connections += 1;
        socket.destroy();
      });
      await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    });

    afterAll(async () => {
      await new Promise((resolve) => tcp?.close(resolve));
    });

    it('is never connected to, even for a client stored before the admin API refused it', async () => {
      // 0.0.0.0 reaches this machine on Linux, as a name resolving there would: the stored URL
      // stands in for such a name, which the admin API cannot see through.
      const clientId = await clientWithJwksUri('/replaced');
      const pg = new Client({ connectionString: db.url.replace(/[?&]embedded=pglite/, '') });
      await pg.connect();
      try {
        const uri = `https://0.0.0.0:${(tcp.address() as AddressInfo).port}/jwks`;
        await pg.query(
          `UPDATE clients SET metadata = jsonb_set(metadata, '{jwks_uri}', to_jsonb($1::text)) WHERE client_id = $2`,
          [uri, clientId],
        );
      } finally {
        await pg.end();
      }

      await expectInvalidClient(a, clientId);

      expect(connections).toBe(0);
    });
  });

  describe('fetched RSA keys shorter than 2048 bits', () => {
    const short = rsaKeyPair(1024);

    it('are never used to verify an assertion', async () => {
      handlers.set('/short-only', serve([{ ...short.jwk, kid: 'short' }]));
      const clientId = await clientWithJwksUri('/short-only');

      const res = await tokenRequest(
        a,
        clientId,
        assertion(clientId, short.privateKey, { kid: 'short' }),
      );

      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
    });

    it("do not keep the set's other keys from working", async () => {
      // No kid: every published key is a candidate, the short one first.
      handlers.set('/short-first', serve([short.jwk, signing.jwk]));
      const clientId = await clientWithJwksUri('/short-first');

      const res = await tokenRequest(a, clientId, assertion(clientId, signing.privateKey, {}));

      expect(res.status).toBe(200);
    });
  });
});
