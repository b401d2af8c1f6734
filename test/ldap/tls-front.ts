import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';
import { createSecureContext, SecureContext, TLSSocket } from 'node:tls';

import { ServerCertificate } from '../setup/slapd';

/** RFC 4511 §4.14.1: the StartTLS extended operation's name. */
const START_TLS_OID = '1.3.6.1.4.1.1466.20037';

/** What one connection to a front showed. */
export interface FrontConnection {
  /** The ClientHello's SNI host name (RFC 6066 §3), or null when it named none. */
  servername: string | null;
  /** The bytes that reached a stalling front after its StartTLS answer (the ClientHello). */
  afterStartTls: Buffer;
  /**
   * Resolves when the socket closed. A front closes a connection itself only on `stop()`, or
   * when its first request is not StartTLS, or its TLS fails: otherwise the client closed it.
   */
  readonly whenClosed: Promise<void>;
}

/**
 * A TLS front for a test directory on a loopback port, to see what the client sends in TLS
 * that slapd does not show (the SNI), and to play a directory that stalls:
 * - `ldaps`: TLS from the first byte, then the LDAP messages go on to slapd's ldap:// port;
 * - `starttls`: answers the StartTLS extended request itself (success), then TLS, then slapd;
 * - `stall`: answers the StartTLS request with success and then never answers the ClientHello.
 */
export class TlsFront {
  readonly connections: FrontConnection[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly context: SecureContext,
    private readonly mode: 'ldaps' | 'starttls' | 'stall',
    private readonly upstreamPort: number | undefined,
  ) {}

  static async start(options: {
    mode: 'ldaps' | 'starttls' | 'stall';
    certificate: ServerCertificate;
    /** slapd's plain ldap:// port (not for `stall`). */
    upstreamPort?: number;
  }): Promise<TlsFront> {
    const context = createSecureContext({
      cert: options.certificate.certificatePem,
      key: options.certificate.keyPem,
    });
    const server = createServer();
    const front = new TlsFront(server, context, options.mode, options.upstreamPort);
    server.on('connection', (socket) => front.accept(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return front;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    let closed!: () => void;
    const connection: FrontConnection = {
      servername: null,
      afterStartTls: Buffer.alloc(0),
      whenClosed: new Promise<void>((resolve) => (closed = resolve)),
    };
    this.connections.push(connection);
    // A client that gives up (resets) is what some tests expect, not a failure of the front.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.sockets.delete(socket);
      closed();
    });
    if (this.mode === 'ldaps') {
      this.serveTls(socket, connection);
      return;
    }
    // The client sends nothing after the StartTLS request until it has the answer, so the
    // first chunk (a few dozen bytes on loopback) is the whole request.
    socket.once('data', (request) => {
      if (!request.includes(Buffer.from(START_TLS_OID, 'latin1'))) {
        socket.destroy();
        return;
      }
      socket.write(startTlsSuccess(messageIdOf(request)));
      if (this.mode === 'stall') {
        socket.on('data', (chunk: Buffer) => {
          connection.afterStartTls = Buffer.concat([connection.afterStartTls, chunk]);
        });
      } else {
        this.serveTls(socket, connection);
      }
    });
  }

  /** TLS on `socket` as a server; once up, the SNI is noted and the LDAP messages go to slapd. */
  private serveTls(socket: Socket, connection: FrontConnection): void {
    const secure = new TLSSocket(socket, { isServer: true, secureContext: this.context });
    secure.on('error', () => socket.destroy());
    secure.once('secure', () => {
      // TLSSocket.servername is false when the ClientHello had no server_name extension.
      connection.servername = secure.servername || null;
      const upstream = connect(this.upstreamPort!, '127.0.0.1');
      this.sockets.add(upstream);
      upstream.on('close', () => this.sockets.delete(upstream));
      upstream.on('error', () => secure.destroy());
      secure.on('close', () => upstream.destroy());
      secure.pipe(upstream).pipe(secure);
    });
  }
}

/** The messageID of an LDAPMessage (RFC 4511 §4.1.1): SEQUENCE { INTEGER, ... }, BER. */
function messageIdOf(message: Buffer): number {
  // The SEQUENCE's length: short form, or long form (0x80 | number of length bytes).
  const lengthBytes = message[1] & 0x80 ? 1 + (message[1] & 0x7f) : 1;
  const at = 1 + lengthBytes;
  if (message[0] !== 0x30 || message[at] !== 0x02) throw new Error('not an LDAPMessage');
  return message.readUIntBE(at + 2, message[at + 1]);
}

/**
 * An LDAPMessage with an ExtendedResponse (RFC 4511 §4.12) saying success to StartTLS
 * (§4.14.2: resultCode success, responseName the StartTLS OID), BER by hand (X.690 §8):
 * [APPLICATION 24] SEQUENCE { resultCode ENUMERATED 0, matchedDN "", diagnosticMessage "",
 * responseName [10] LDAPOID }.
 */
function startTlsSuccess(messageId: number): Buffer {
  const oid = Buffer.from(START_TLS_OID, 'latin1');
  const result = Buffer.concat([
    Buffer.from([0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00, 0x8a, oid.length]),
    oid,
  ]);
  const id = integer(messageId);
  const body = Buffer.concat([id, Buffer.from([0x78, result.length]), result]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/** A non-negative INTEGER (X.690 §8.3): minimal big-endian two's complement. */
function integer(value: number): Buffer {
  const bytes: number[] = [];
  do {
    bytes.unshift(value & 0xff);
    value = Math.floor(value / 256);
  } while (value > 0);
  if (bytes[0] & 0x80) bytes.unshift(0);
  return Buffer.from([0x02, bytes.length, ...bytes]);
}
