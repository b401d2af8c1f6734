import { request as httpRequest } from 'node:http';
import { connect, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';

import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { adminCreateClient, adminCreateUser, basic } from '../setup/oauth';
import { startTestServer, TestServer } from '../setup/test-server';

/**
 * The protocol's hottest requests (metadata, JWKS, token, introspection, UserInfo GET) are
 * answered before the HTTP framework (apps/server/src/protocol/direct-routes.ts); requests of
 * any other shape go to the framework. Both must give the same answer: these tests send the
 * same request both ways (a chunked body, which only the framework takes; a key set due for
 * reload) and compare status, headers and body, on whichever HTTP_ADAPTER the run uses.
 */
describe('direct routes answer as the framework does', () => {
  let db: TestDatabase;
  let server: TestServer;
  let client: { client_id: string; client_secret: string };

  let accessToken: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
    const created = await adminCreateClient(server, {
      client_name: 'direct routes',
      grant_types: ['client_credentials', 'password'],
      response_types: [],
      redirect_uris: [],
    });
    client = { client_id: created.client_id, client_secret: created.client_secret ?? '' };
    await adminCreateUser(server, {
      username: 'direct@example.com',
      password: 'Direct-pass-1234!',
    });
    const res = await send(server, {
      method: 'POST',
      path: '/uas/oauth2/token',
      headers: { authorization: basic(client.client_id, client.client_secret) },
      form: 'grant_type=password&username=direct%40example.com&password=Direct-pass-1234%21&scope=openid',
    });
    expect(res.status).toBe(200);
    accessToken = (JSON.parse(res.body) as { access_token: string }).access_token;
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it.each([
    ['a token response', 'grant_type=client_credentials', 'good'],
    ['an invalid_client error', 'grant_type=client_credentials', 'bad'],
    ['an unsupported_grant_type error', 'grant_type=nonsense', 'good'],
    ['a repeated parameter', 'grant_type=client_credentials&grant_type=password', 'good'],
  ])('token endpoint: %s', async (_name, form, secret) => {
    const authorization = basic(
      client.client_id,
      secret === 'good' ? client.client_secret : 'wrong-secret',
    );
    const [direct, framework] = await bothWays(server, {
      method: 'POST',
      path: '/uas/oauth2/token',
      headers: { authorization },
      form,
    });

    expectSameAnswer(direct, framework, {
      tokens: secret === 'good' && !form.includes('nonsense'),
    });
  });

  it('refuses a form of more than 100 parameters as the framework does', async () => {
    const authorization = basic(client.client_id, client.client_secret);
    // A repeated grant_type beyond a cut at 100 would go unseen: the whole form is refused.
    const form = [
      'grant_type=client_credentials',
      ...Array.from({ length: 100 }, (_, i) => `p${i}=${i}`),
      'grant_type=password',
    ].join('&');
    const [direct, framework] = await bothWays(server, {
      method: 'POST',
      path: '/uas/oauth2/token',
      headers: { authorization },
      form,
    });
    expect(direct.status).toBe(413);
    expect(direct.headers['access-control-allow-origin']).toBe('*');
    // Express's body parser refuses the form before its CORS middleware runs, so its 413 has no
    // CORS headers; everything else must match.
    expectSameAnswer(direct, framework, { tokens: false, ignore: CORS_HEADERS });
  });

  it('leaves a compressed form to the framework', async () => {
    const authorization = basic(client.client_id, client.client_secret);
    const body = gzipSync('grant_type=client_credentials');
    const [stated, chunked] = await bothWays(server, {
      method: 'POST',
      path: '/uas/oauth2/token',
      headers: {
        authorization,
        'content-type': 'application/x-www-form-urlencoded',
        'content-encoding': 'gzip',
      },
      body,
    });
    expect(stated.status).toBeLessThan(500);
    expectSameAnswer(stated, chunked, { tokens: stated.status === 200 });
  });

  it('introspection: an active token and an unknown one', async () => {
    const authorization = basic(client.client_id, client.client_secret);
    for (const token of [accessToken, 'not-a-token']) {
      const form = `token=${encodeURIComponent(token)}`;
      const [direct, framework] = await bothWays(server, {
        method: 'POST',
        path: '/uas/oauth2/introspection',
        headers: { authorization },
        form,
      });
      expectSameAnswer(direct, framework, { tokens: false });
    }
  });

  it('UserInfo: GET (direct) and POST with the token in the body (framework)', async () => {
    const direct = await send(server, {
      method: 'GET',
      path: '/uas/oauth2/userinfo',
      headers: { authorization: `Bearer ${accessToken}` },
    });
    const framework = await send(server, {
      method: 'POST',
      path: '/uas/oauth2/userinfo',
      form: `access_token=${accessToken}`,
    });
    expect(direct.status).toBe(200);
    expectSameAnswer(direct, framework, { tokens: false });

    const missing = await send(server, { method: 'GET', path: '/uas/oauth2/userinfo' });
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer realm=/);
    expect(missing.headers['cache-control']).toBe('no-store');
  });

  it('JWKS: the same document whether or not a key set reload is due', async () => {
    const direct = await send(server, { method: 'GET', path: '/uas/oauth2/metadata.jwks' });
    // Past the key store's reload interval the direct route steps aside for the framework's,
    // which reloads the key set from the database.
    server.clock.advance(10);
    const framework = await send(server, { method: 'GET', path: '/uas/oauth2/metadata.jwks' });
    expectSameAnswer(direct, framework, { tokens: false });
  });

  it('keeps a well-formed X-Request-Id and replaces any other', async () => {
    const res = await send(server, {
      method: 'GET',
      path: '/uas/.well-known/openid-configuration',
      headers: { 'x-request-id': 'trace-0123456789' },
    });
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBe('trace-0123456789');
    const replaced = await send(server, {
      method: 'GET',
      path: '/uas/.well-known/openid-configuration',
      headers: { 'x-request-id': 'has spaces "and quotes"' },
    });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('leaves requests of another shape to the framework', async () => {
    const json = await send(server, {
      method: 'POST',
      path: '/uas/oauth2/token',
      headers: {
        authorization: basic(client.client_id, client.client_secret),
        'content-type': 'application/json',
      },
      body: '{"grant_type":"client_credentials"}',
    });
    expect(json.status).toBe(400);
    expect(JSON.parse(json.body)).toMatchObject({ error: 'invalid_request' });

    const preflight = await send(server, {
      method: 'OPTIONS',
      path: '/uas/oauth2/token',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');

    const put = await send(server, { method: 'PUT', path: '/uas/oauth2/metadata.jwks' });
    expect(put.status).toBeGreaterThanOrEqual(400);
    expect(put.status).toBeLessThan(500);
  });
});

describe('direct routes during a graceful shutdown', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('answer 503 and end a keep-alive connection once the server is shutting down', async () => {
    const server = await startTestServer({ databaseUrl: db.url });
    const socket = connect(Number(new URL(server.origin).port), '127.0.0.1');
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    try {
      const answers = answersOn(socket);
      const metadata = 'GET /uas/.well-known/openid-configuration HTTP/1.1\r\nHost: 127.0.0.1\r\n';
      // A whole request and the start of the next: the connection is in the middle of a request
      // (not idle) when the shutdown starts, so closing the server leaves it open.
      socket.write(`${metadata}\r\n${metadata}`);
      expect((await answers.next()).status).toBe(200);

      const closed = server.close();
      await until(() => !server.http.listening);
      socket.write('\r\n');
      const during = await answers.next();

      // return503OnClosing on either adapter: the client is told to go elsewhere and the
      // connection ends, so a busy client cannot hold the shutdown open.
      expect(during.status).toBe(503);
      expect(during.headers.connection).toBe('close');
      await ended;
      await closed;
    } finally {
      socket.destroy();
    }
  });
});

/** Reads HTTP/1.1 responses (with Content-Length) from a raw connection, one at a time. */
function answersOn(socket: Socket): { next(): Promise<Answer> } {
  let buffered = Buffer.alloc(0);
  let wake: (() => void) | null = null;
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    wake?.();
  });
  const more = () => new Promise<void>((resolve) => (wake = resolve));
  return {
    async next() {
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end !== -1) {
          const [statusLine, ...lines] = buffered.subarray(0, end).toString('latin1').split('\r\n');
          const headers: Record<string, string> = {};
          for (const line of lines) {
            const colon = line.indexOf(':');
            headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
          }
          const length = Number(headers['content-length'] ?? 0);
          if (buffered.length >= end + 4 + length) {
            const body = buffered.subarray(end + 4, end + 4 + length).toString('utf8');
            buffered = buffered.subarray(end + 4 + length);
            return { status: Number(statusLine.split(' ')[1]), headers, body };
          }
        }
        await more();
      }
    },
  };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i += 1)
    await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const CORS_HEADERS = ['access-control-allow-origin', 'access-control-expose-headers'];

/** Same status, header names and values (but per-request ones), and body (tokens aside). */
function expectSameAnswer(
  a: Answer,
  b: Answer,
  { tokens, ignore = [] }: { tokens: boolean; ignore?: string[] },
): void {
  expect(a.status).toBe(b.status);
  const perRequest = new Set(['date', 'x-request-id', 'content-length', 'etag', ...ignore]);
  const comparable = (answer: Answer) =>
    Object.fromEntries(
      Object.entries(answer.headers)
        .filter(([name]) => !perRequest.has(name))
        .map(([name, value]) => [name, name === 'content-type' ? normalType(value) : value]),
    );
  expect(comparable(a)).toEqual(comparable(b));
  expect(a.headers['x-request-id']).toEqual(expect.any(String));
  if (tokens) {
    // Every token response differs (jti, iat): compare the members present.
    expect(Object.keys(JSON.parse(a.body) as object).sort()).toEqual(
      Object.keys(JSON.parse(b.body) as object).sort(),
    );
  } else {
    expect(a.body).toBe(b.body);
  }
}

/** Express and Fastify spell `charset=utf-8` alike but may differ in case and spacing. */
function normalType(value: unknown): string {
  return String(value).toLowerCase().replace(/\s+/g, '');
}

interface Sent {
  method: string;
  path: string;
  headers?: Record<string, string>;
  form?: string;
  body?: string | Buffer;
  chunked?: boolean;
}

/**
 * The same request with its body's length stated (what the direct routes take) and chunked
 * (what only the framework takes): [direct, framework].
 */
async function bothWays(
  server: TestServer,
  options: Omit<Sent, 'chunked'>,
): Promise<[Answer, Answer]> {
  return [await send(server, options), await send(server, { ...options, chunked: true })];
}

/** One HTTP/1.1 request on its own connection; `chunked` sends the body without a length. */
function send(server: TestServer, options: Sent): Promise<Answer> {
  const text = options.form ?? options.body;
  const body = text === undefined ? undefined : Buffer.from(text);
  const headers: Record<string, string> = { ...options.headers };
  if (options.form !== undefined) headers['content-type'] ??= 'application/x-www-form-urlencoded';
  if (body !== undefined && !options.chunked) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${server.origin}${options.path}`,
      { method: options.method, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    if (body !== undefined) {
      // Written in two pieces: with no Content-Length, Node sends them chunked.
      req.write(body.subarray(0, 1));
      req.end(body.subarray(1));
    } else {
      req.end();
    }
  });
}
