import { generateKeyPairSync } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

import { FixedClock } from '@app/config';

import { OutboundHttpClient } from '../outbound/outbound-http-client';
import { JwksUriCache } from './jwks-uri.cache';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

function rsaJwk(kid: string, modulusLength = 2048): Record<string, unknown> {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength });
  return { ...(publicKey.export({ format: 'jwk' }) as Record<string, unknown>), kid };
}

const KEY_A = rsaJwk('a');
const KEY_B = rsaJwk('b');

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
    sut = new JwksUriCache(clock, new OutboundHttpClient({ denyPrivate: false }));
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
    await Promise.all([
      sut.keys(`${origin}/jwks`),
      sut.keys(`${origin}/jwks`),
      sut.keys(`${origin}/jwks`),
    ]);

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
    await expect(sut.keys('http://jwks.example.com/jwks')).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('refuses a scheme other than https and http', async () => {
    await expect(sut.keys('file:///etc/passwd')).rejects.toMatchObject({ code: 'invalid_client' });
  });

  describe('after a failed fetch', () => {
    const failing = (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(500);
      res.end();
    };

    it('does not fetch again within 10 seconds', async () => {
      handler = failing;
      await expect(sut.keys(`${origin}/jwks`)).rejects.toMatchObject({ code: 'invalid_client' });
      clock.advance(9);

      await expect(sut.keys(`${origin}/jwks`)).rejects.toMatchObject({ code: 'invalid_client' });

      expect(hits).toHaveLength(1);
    });

    it('shares one fetch between concurrent requests and remembers its failure', async () => {
      handler = failing;

      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () => sut.keys(`${origin}/jwks`)),
      );
      await expect(sut.keys(`${origin}/jwks`)).rejects.toMatchObject({ code: 'invalid_client' });

      expect(results.every((r) => r.status === 'rejected')).toBe(true);
      expect(hits).toHaveLength(1);
    });

    it('fetches again once 10 seconds have passed, and uses the keys then published', async () => {
      handler = failing;
      await expect(sut.keys(`${origin}/jwks`)).rejects.toMatchObject({ code: 'invalid_client' });
      handler = serveJson({ keys: [KEY_A] });
      clock.advance(10);

      const keys = await sut.keys(`${origin}/jwks`);

      expect(keys).toEqual([KEY_A]);
      expect(hits).toHaveLength(2);
    });

    it('doubles the wait after each further failure', async () => {
      handler = failing;
      await expect(sut.keys(`${origin}/jwks`)).rejects.toMatchObject({ code: 'invalid_client' });
      clock.advance(10);
      await expect(sut.keys(`${origin}/jwks`)).rejects.toMatchObject({ code: 'invalid_client' });
      clock.advance(19);

      await expect(sut.keys(`${origin}/jwks`)).rejects.toMatchObject({ code: 'invalid_client' });
      expect(hits).toHaveLength(2);
      clock.advance(1);
      await expect(sut.keys(`${origin}/jwks`)).rejects.toMatchObject({ code: 'invalid_client' });
      expect(hits).toHaveLength(3);
    });

    it('waits at most five minutes however often the fetch failed', async () => {
      handler = failing;
      for (let i = 0; i < 8; i++) {
        await expect(sut.keys(`${origin}/jwks`)).rejects.toMatchObject({ code: 'invalid_client' });
        clock.advance(300);
      }

      expect(hits).toHaveLength(8);
    });

    it('starts again at 10 seconds after a success', async () => {
      handler = failing;
      await expect(sut.keys(`${origin}/jwks`)).rejects.toMatchObject({ code: 'invalid_client' });
      clock.advance(10);
      await expect(sut.keys(`${origin}/jwks`)).rejects.toMatchObject({ code: 'invalid_client' });
      clock.advance(20);
      handler = serveJson({ keys: [KEY_A] });
      await sut.keys(`${origin}/jwks`);
      handler = failing;
      clock.advance(300);
      await expect(sut.keys(`${origin}/jwks`)).rejects.toMatchObject({ code: 'invalid_client' });
      clock.advance(10);

      await expect(sut.keys(`${origin}/jwks`)).rejects.toMatchObject({ code: 'invalid_client' });

      expect(hits).toHaveLength(5);
    });

    it('keeps answering a refresh with the cached copy while a failed refresh waits', async () => {
      await sut.keys(`${origin}/jwks`);
      handler = failing;
      clock.advance(31);
      await expect(sut.keys(`${origin}/jwks`, { refresh: true })).rejects.toMatchObject({
        code: 'invalid_client',
      });

      const keys = await sut.keys(`${origin}/jwks`, { refresh: true });

      expect(keys).toEqual([KEY_A]);
      expect(hits).toHaveLength(2);
    });
  });

  it('drops RSA keys shorter than 2048 bits, and keeps the others', async () => {
    const short = rsaJwk('short', 1024);
    const ec = { kty: 'EC', kid: 'ec', crv: 'P-256', x: 'x', y: 'y' };
    handler = serveJson({ keys: [short, KEY_A, ec] });

    const keys = await sut.keys(`${origin}/jwks`);

    expect(keys).toEqual([KEY_A, ec]);
  });

  it('drops an RSA key whose modulus is not a number', async () => {
    handler = serveJson({ keys: [{ kty: 'RSA', kid: 'bad', n: '!!', e: 'AQAB' }, KEY_A] });

    const keys = await sut.keys(`${origin}/jwks`);

    expect(keys).toEqual([KEY_A]);
  });

  it('refuses a loopback URI with OUTBOUND_DENY_PRIVATE, without a request', async () => {
    sut = new JwksUriCache(clock, new OutboundHttpClient({ denyPrivate: true }));

    await expect(sut.keys(`${origin}/jwks`)).rejects.toMatchObject({ code: 'invalid_client' });
    expect(hits).toEqual([]);
  });
});
