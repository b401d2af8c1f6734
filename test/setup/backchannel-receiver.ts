import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * A relying party's backchannel_logout_uri on loopback (Back-Channel Logout 1.0 §2.5): records
 * every POST's form body and answers with the next queued status (200 once they run out).
 */
export class BackchannelReceiver {
  readonly received: Array<Record<string, string>> = [];
  private readonly statuses: number[] = [];
  private readonly waiters: Array<() => void> = [];
  private server: Server | null = null;
  private port = 0;

  /** Answers the next posts with these statuses, in order. */
  failNext(...statuses: number[]): void {
    this.statuses.push(...statuses);
  }

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => {
      void readBody(req).then((body) => {
        this.received.push(Object.fromEntries(new URLSearchParams(body)));
        res.statusCode = this.statuses.shift() ?? 200;
        res.setHeader('Cache-Control', 'no-store');
        res.end();
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/backchannel-logout`;
  }

  /** Resolves once `count` posts have arrived in all, or rejects after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 10_000): Promise<Array<Record<string, string>>> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} logout posts, got ${this.received.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.received;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
