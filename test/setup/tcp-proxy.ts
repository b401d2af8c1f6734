import { createServer, Server, Socket } from 'node:net';

/** One proxied connection: the socket from the client and the one to the target. */
interface Link {
  readonly client: Socket;
  readonly upstream: Socket | null;
  /** False once black-holed: then neither side's close or error reaches the other. */
  passing: boolean;
}

/**
 * A loopback TCP proxy a test can cut and restore, to make a real database unreachable
 * without stopping it: `cut()` refuses and resets connections (a stopped server), `blackhole()`
 * accepts them and silently drops every byte both ways while keeping the sockets open (a network
 * that drops packets: nothing is refused, nothing ever answers).
 */
export class TcpProxy {
  private readonly links = new Set<Link>();
  private server: Server | null = null;
  private port = 0;
  private dropping = false;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetHost, targetPort);
    await proxy.listen(0);
    return proxy;
  }

  get listenPort(): number {
    return this.port;
  }

  /** Drops every connection and refuses new ones. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const link of this.links) destroy(link);
    this.links.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * From now on every byte is dropped, on the open connections and on new ones, and no socket is
   * closed. Connections open now stay black-holed for good, as a TCP connection whose packets
   * were lost for long is: only new connections pass again after `restore()`.
   */
  blackhole(): void {
    this.dropping = true;
    for (const link of this.links) swallow(link);
  }

  /** Passes traffic again on new connections (accepting them again on the same port after a cut). */
  async restore(): Promise<void> {
    this.dropping = false;
    if (!this.server) await this.listen(this.port);
  }

  close(): Promise<void> {
    return this.cut();
  }

  private listen(port: number): Promise<void> {
    const server = createServer((client) => {
      const upstream = this.dropping ? null : new Socket();
      const link: Link = { client, upstream, passing: upstream !== null };
      this.links.add(link);
      const drop = () => {
        if (!link.passing) return;
        destroy(link);
        this.links.delete(link);
      };
      client.on('error', drop).on('close', drop);
      if (!upstream) {
        swallow(link);
        return;
      }
      upstream.on('error', drop).on('close', drop);
      upstream.connect(this.targetPort, this.targetHost, () => {
        if (!link.passing) return;
        client.pipe(upstream);
        upstream.pipe(client);
      });
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        if (address && typeof address === 'object') this.port = address.port;
        resolve();
      });
    });
  }
}

/**
 * Stops forwarding on `link` for good and reads (and discards) whatever either side sends, so
 * neither sees back-pressure, a reset or a close from the other. Both sockets stay open until the
 * proxy closes: the database keeps the session (and any open transaction) as it would behind a
 * dead network, until its own timeouts end it.
 */
function swallow(link: Link): void {
  const discard = () => undefined;
  link.passing = false;
  for (const socket of [link.client, link.upstream]) {
    if (!socket) continue;
    socket.unpipe();
    socket.on('data', discard).resume();
  }
}

function destroy(link: Link): void {
  link.client.destroy();
  link.upstream?.destroy();
}

/** The URL with its host and port replaced by the proxy's. */
export function viaProxy(databaseUrl: string, proxy: TcpProxy): string {
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.listenPort);
  return url.toString();
}
