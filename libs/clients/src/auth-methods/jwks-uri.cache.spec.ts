import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

import { FixedClock } from '@app/config';

import { JwksUriCache } from './jwks-uri.cache';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const KEY_A = { kty: 'RSA', kid: 'a', n: 'AQAB', e: 'AQAB' };
const KEY_B = { kty: 'RSA', kid: 'b', n: 'AQAB', e: 'AQAB' };

function serveJson(body: unknown): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
}

describe(JwksUriCache.name, () => {
  let server: Server;
  let origin: string;
  let handler: Handler;
  let hits: string[];
  let clock: FixedClock;
  let sut: JwksUriCache;

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    hits = [];
    handler = serveJson({ keys: [KEY_A] });
    clock = new FixedClock(new Date('2030-01-01T00:00:00Z'));
    sut = new JwksUriCache(clock);
  });

  it('returns the keys published at a loopback http URI', async () => {
    const keys = await sut.keys(`${origin}/jwks`);

    expect(keys).toEqual([KEY_A]);
  });

  it('serves a second request from the cache', async () => {
    await sut.keys(`${origin}/jwks`);

    await sut.keys(`${origin}/jwks`);

    expect(hits).toEqual(['/jwks']);
  });

  it('fetches again once the cached copy is five minutes old', async () => {
    await sut.keys(`${origin}/jwks`);
    handler = serveJson({ keys: [KEY_B] });
    clock.advance(300);

    const keys = await sut.keys(`${origin}/jwks`);

    expect(keys).toEqual([KEY_B]);
  });

  it('refreshes on request when the cached copy is older than the cooldown', async () => {
    await sut.keys(`${origin}/jwks`);
    handler = serveJson({ keys: [KEY_A, KEY_B] });
    clock.advance(31);

    const keys = await sut.keys(`${origin}/jwks`, { refresh: true });

    expect(keys).toEqual([KEY_A, KEY_B]);
  });

  it('does not refresh a copy fetched seconds ago, so unknown kids cannot hammer the client', async () => {
    await sut.keys(`${origin}/jwks`);
    clock.advance(5);

    await sut.keys(`${origin}/jwks`, { refresh: true });

    expect(hits).toHaveLength(1);
  });

  it('shares one fetch between concurrent requests', async () => {
    await Promise.all([sut.keys(`${origin}/jwks`), sut.keys(`${origin}/jwks`), sut.keys(`${origin}/jwks`)]);

    expect(hits).toHaveLength(1);
  });

  it('refuses a redirect without following it', async () => {
    handler = (req, res) => {
      if (req.url === '/moved') {
        res.writeHead(302, { location: `${origin}/jwks` });
        res.end();
      } else serveJson({ keys: [KEY_A] })(req, res);
    };

    await expect(sut.keys(`${origin}/moved`)).rejects.toMatchObject({ code: 'invalid_client' });
    expect(hits).toEqual(['/moved']);
  });

  it('refuses a response declared larger than 64 KB', async () => {
    handler = serveJson({ keys: [KEY_A], padding: 'x'.repeat(70 * 1024) });

    await expect(sut.keys(`${origin}/jwks`)).rejects.toMatchObject({ code: 'invalid_client' });
  });

  it('refuses a streamed response that grows past 64 KB', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }); // chunked: no Content-Length
      res.write(`{"keys":[${JSON.stringify(KEY_A)}],"padding":"`);
      for (let i = 0; i < 70; i++) res.write('x'.repeat(1024));
      res.end('"}');
    };

    await expect(sut.keys(`${origin}/jwks`)).rejects.toMatchObject({ code: 'invalid_client' });
  });

  it('gives up on a server that does not answer within 3 seconds', async () => {
    handler = () => undefined;
    const started = Date.now();

    await expect(sut.keys(`${origin}/jwks`)).rejects.toMatchObject({ code: 'invalid_client' });
    expect(Date.now() - started).toBeLessThan(5000);
  }, 10_000);

  it('refuses an error status', async () => {
    handler = (_req, res) => {
      res.writeHead(404);
      res.end();
    };

    await expect(sut.keys(`${origin}/jwks`)).rejects.toMatchObject({ code: 'invalid_client' });
  });

  it('refuses a body that is not a JWK Set', async () => {
    handler = serveJson([KEY_A]);

    await expect(sut.keys(`${origin}/jwks`)).rejects.toMatchObject({ code: 'invalid_client' });
  });

  it('refuses plain http to a host that is not loopback', async () => {
    await expect(sut.keys('http://jwks.example.com/jwks')).rejects.toMatchObject({ code: 'invalid_client' });
  });

  it('refuses a scheme other than https and http', async () => {
    await expect(sut.keys('file:///etc/passwd')).rejects.toMatchObject({ code: 'invalid_client' });
  });
});
