import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** A text the loopback SMS gateway received: the two template values, decoded. */
export interface Text {
  mobile: string;
  challenge: string;
}

/** A real HTTP gateway on loopback: GET /send?to={mobile}&text={challenge}. */
export class LoopbackSmsGateway {
  readonly texts: Text[] = [];
  /** The request targets as they arrived, still URL-encoded. */
  readonly targets: string[] = [];
  /** 'ok' answers 200; a number answers that status; 'reset' drops the connection. */
  mode: 'ok' | 'reset' | number = 'ok';
  private readonly server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    this.targets.push(req.url ?? '');
    this.texts.push({
      mobile: url.searchParams.get('to') ?? '',
      challenge: url.searchParams.get('text') ?? '',
    });
    if (this.mode === 'reset') req.socket.destroy();
    else res.writeHead(this.mode === 'ok' ? 200 : this.mode).end();
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/send?to={mobile}&text={challenge}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** The one OTP in a message text. */
export function otpIn(text: string): string {
  const codes = text.match(/\b\d{8}\b/g) ?? [];
  if (codes.length !== 1) throw new Error(`expected one 8-digit OTP in ${JSON.stringify(text)}`);
  return codes[0];
}
