import { LookupAddress } from 'node:dns';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, createServer as createTcpServer, Server as TcpServer } from 'node:net';

import { ResolveAll, OutboundHttpClient } from './outbound-http-client';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const REQUEST = { timeoutMs: 2000, maxBodyBytes: 1024 };

/** A resolver that knows only `names`, and counts its calls. */
function resolverOf(names: Record<string, string[]>): ResolveAll & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string): Promise<LookupAddress[]> => {
    calls.push(hostname);
    return (names[hostname] ?? []).map((address) => ({
      address,
      family: address.includes(':') ? 6 : 4,
    }));
  };
  return Object.assign(resolve, { calls });
}

describe(OutboundHttpClient.name, () => {
  let server: Server;
  let port: number;
  let handler: Handler;
  let hits: { url: string; host: string }[];
  let sut: OutboundHttpClient;

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push({ url: req.url ?? '', host: req.headers.host ?? '' });
      handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    hits = [];
    handler = (_req, res) => res.end('hello');
    sut = new OutboundHttpClient({ denyPrivate: false });
  });

  it('answers the status and body of a loopback http URL', async () => {
    const res = await sut.send(`http://127.0.0.1:${port}/doc`, REQUEST);

    expect(res).toEqual({ status: 200, body: 'hello' });
    expect(hits).toEqual([{ url: '/doc', host: `127.0.0.1:${port}` }]);
  });

  it('posts a body', async () => {
    let received = '';
    handler = (req, res) => {
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (received += chunk));
      req.on('end', () => res.end());
    };

    await sut.send(`http://127.0.0.1:${port}/logout`, {
      ...REQUEST,
      method: 'POST',
      body: 'logout_token=x',
    });

    expect(received).toBe('logout_token=x');
  });

  it('connects to the address it checked, without a lookup of its own (no DNS rebinding)', async () => {
    // The system resolves localhost to 127.0.0.1 or ::1, never to 127.0.0.3: reaching a server
    // that listens only there shows the connection used the checked answer.
    const elsewhere = createServer((req, res) => res.end(`elsewhere ${req.url}`));
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.3', resolve));
    const resolve = resolverOf({ localhost: ['127.0.0.3'] });
    sut = new OutboundHttpClient({ denyPrivate: false, resolve });

    try {
      const res = await sut.send(
        `http://localhost:${(elsewhere.address() as AddressInfo).port}/pinned`,
        REQUEST,
      );

      expect(res).toEqual({ status: 200, body: 'elsewhere /pinned' });
      expect(resolve.calls).toEqual(['localhost']);
    } finally {
      await new Promise((done) => elsewhere.close(done));
    }
  });

  it('refuses a name when any of its addresses is link-local, without a request', async () => {
    const resolve = resolverOf({ localhost: ['127.0.0.1', '169.254.169.254'] });
    sut = new OutboundHttpClient({ denyPrivate: false, resolve });

    await expect(sut.send(`http://localhost:${port}/x`, REQUEST)).rejects.toThrow(
      /169\.254\.169\.254/,
    );
    expect(hits).toEqual([]);
  });

  it('refuses a name that resolves to an IPv4-mapped metadata address', async () => {
    const resolve = resolverOf({ localhost: ['::ffff:169.254.169.254'] });
    sut = new OutboundHttpClient({ denyPrivate: false, resolve });

    await expect(sut.send(`http://localhost:${port}/x`, REQUEST)).rejects.toThrow(/link-local/);
  });

  it('refuses a cloud-metadata host name without looking it up', async () => {
    const resolve = resolverOf({ 'metadata.google.internal': ['127.0.0.1'] });
    sut = new OutboundHttpClient({ denyPrivate: false, resolve });

    await expect(
      sut.send('https://metadata.google.internal/computeMetadata/v1/', REQUEST),
    ).rejects.toThrow(/metadata/);
    expect(resolve.calls).toEqual([]);
  });

  it('refuses a name without addresses', async () => {
    sut = new OutboundHttpClient({ denyPrivate: false, resolve: resolverOf({}) });

    await expect(sut.send('https://nowhere.test/', REQUEST)).rejects.toThrow(/no address/);
  });

  describe('0.0.0.0, which reaches this machine', () => {
    let tcp: TcpServer;
    let connections: number;

    beforeAll(async () => {
      tcp = createTcpServer((socket) => {
        connections += 1;
        socket.destroy();
      });
      await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    });

    afterAll(async () => {
      await new Promise((resolve) => tcp.close(resolve));
    });

    beforeEach(() => (connections = 0));

    it('is refused without a connection', async () => {
      const tcpPort = (tcp.address() as AddressInfo).port;

      await expect(sut.send(`https://0.0.0.0:${tcpPort}/jwks`, REQUEST)).rejects.toThrow(
        /unspecified/,
      );
      expect(connections).toBe(0);
    });
  });

  describe('with OUTBOUND_DENY_PRIVATE', () => {
    beforeEach(() => {
      sut = new OutboundHttpClient({ denyPrivate: true });
    });

    it('refuses a loopback address without a request', async () => {
      await expect(sut.send(`http://127.0.0.1:${port}/x`, REQUEST)).rejects.toThrow(
        /OUTBOUND_DENY_PRIVATE/,
      );
      expect(hits).toEqual([]);
    });

    it('refuses localhost, whatever it resolves to', async () => {
      await expect(sut.send(`http://localhost:${port}/x`, REQUEST)).rejects.toThrow(
        /OUTBOUND_DENY_PRIVATE/,
      );
      expect(hits).toEqual([]);
    });

    it('refuses a name with one private address among public ones', async () => {
      sut = new OutboundHttpClient({
        denyPrivate: true,
        resolve: resolverOf({ 'app.test': ['203.0.113.7', '10.1.2.3'] }),
      });

      await expect(sut.send('https://app.test/jwks', REQUEST)).rejects.toThrow(/10\.1\.2\.3/);
    });
  });

  it('answers a redirect as it is, without following it', async () => {
    handler = (req, res) => {
      if (req.url === '/moved') {
        res.writeHead(302, { location: `http://127.0.0.1:${port}/target` });
        res.end();
      } else res.end('target');
    };

    const res = await sut.send(`http://127.0.0.1:${port}/moved`, REQUEST);

    expect(res.status).toBe(302);
    expect(hits.map((h) => h.url)).toEqual(['/moved']);
  });

  it('refuses a URL with credentials in it', async () => {
    await expect(sut.send(`http://user:pw@127.0.0.1:${port}/x`, REQUEST)).rejects.toThrow(
      /credentials/,
    );
    expect(hits).toEqual([]);
  });

  it('refuses plain http to a host that is not loopback', async () => {
    await expect(sut.send('http://app.example.com/jwks', REQUEST)).rejects.toThrow(/https/);
  });

  it('gives up when the server does not answer in time', async () => {
    handler = () => undefined;
    const started = Date.now();

    await expect(
      sut.send(`http://127.0.0.1:${port}/slow`, { ...REQUEST, timeoutMs: 200 }),
    ).rejects.toThrow(/timed out/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('gives up when the body stops arriving in time', async () => {
    handler = (_req, res) => res.write('partial');

    await expect(
      sut.send(`http://127.0.0.1:${port}/stalls`, { ...REQUEST, timeoutMs: 200 }),
    ).rejects.toThrow(/timed out/);
  });

  it('refuses a body larger than the limit', async () => {
    handler = (_req, res) => {
      for (let i = 0; i < 4; i++) res.write('x'.repeat(512));
      res.end();
    };

    await expect(sut.send(`http://127.0.0.1:${port}/big`, REQUEST)).rejects.toThrow(/exceeds 1024/);
  });
});
