import { connect as connectTcp, isIP, Socket } from 'node:net';
import { connect as connectTls, ConnectionOptions, TLSSocket } from 'node:tls';

import {
  Client,
  ClientOptions,
  InvalidCredentialsError,
  NoSuchObjectError,
  SizeLimitExceededError,
} from 'ldapts';

import { LdapEntry } from './directory-entry';

/** The directory did not answer, or answered its service account with an error: sign-in cannot be decided. */
export class DirectoryUnavailable extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = 'DirectoryUnavailable';
  }
}

/** Where and how to connect. */
export interface LdapEndpoint {
  readonly url: string;
  readonly startTls: boolean;
  readonly caCertificate: string | null;
  readonly timeoutMs: number;
}

/** A search's answer: its entries, or `too_many` past `sizeLimit`. */
export type SearchAnswer = LdapEntry[] | 'too_many';

/**
 * One connection for one sign-in: connect (TLS for ldaps://, or StartTLS, RFC 4513 §3), bind as
 * the service account, search, bind as the user, close. ldapts has no pool; a connection per
 * sign-in costs a TCP (and TLS) handshake, small beside the sign-in itself, and means a
 * directory that went away leaves no broken pooled connection behind: the next sign-in after it
 * answers again simply works. Every operation has the directory's timeout.
 */
export class LdapSession {
  private constructor(private readonly client: Client) {}

  /** Connected and bound as the service account; DirectoryUnavailable otherwise. */
  static async open(
    endpoint: LdapEndpoint,
    bindDn: string,
    bindPassword: string,
  ): Promise<LdapSession> {
    const host = hostOf(endpoint.url);
    const tlsOptions: ConnectionOptions = {
      minVersion: 'TLSv1.2',
      ...(endpoint.caCertificate ? { ca: [endpoint.caCertificate] } : {}),
      // ldapts calls tls.connect(port, host, tlsOptions) for ldaps:// and sends no SNI unless
      // told: given here for a DNS name, so that a directory behind a name-based TLS front
      // (or with one certificate per name) answers with the right certificate.
      ...sniFor(host),
    };
    const startTls = endpoint.startTls ? new StartTlsTransport() : null;
    const client = new Client({
      url: endpoint.url,
      timeout: endpoint.timeoutMs,
      connectTimeout: endpoint.timeoutMs,
      // ldapts opens TLS at once whenever tlsOptions are given: only for ldaps://.
      ...(endpoint.url.startsWith('ldaps:') ? { tlsOptions } : {}),
      ...(startTls ? startTls.clientOptions : {}),
      strictDN: false,
    });
    const session = new LdapSession(client);
    try {
      // RFC 4513 §3.1.3: after StartTLS the certificate must name the host of the URL. ldapts
      // passes no name to the TLS layer, so it is given here (with tlsOptions' SNI).
      if (startTls) await startTls.upgrade(client, { ...tlsOptions, host }, endpoint.timeoutMs);
      await session.bindService(bindDn, bindPassword);
      return session;
    } catch (error) {
      await session.close();
      throw error instanceof DirectoryUnavailable ? error : unavailable('connect', error);
    }
  }

  /** Binds (again) as the service account. */
  async bindService(bindDn: string, bindPassword: string): Promise<void> {
    try {
      await this.client.bind(bindDn, bindPassword);
    } catch (error) {
      throw unavailable('service bind', error);
    }
  }

  /**
   * RFC 4513 §5.1.2: a simple bind with an empty password is an unauthenticated bind that many
   * servers accept; it is refused here before anything is sent.
   */
  async verifyPassword(dn: string, password: string): Promise<boolean> {
    if (password === '') return false;
    try {
      await this.client.bind(dn, password);
      return true;
    } catch (error) {
      if (error instanceof InvalidCredentialsError) return false;
      throw unavailable('user bind', error);
    }
  }

  /** A subtree search; `missingBase` says what a base DN that does not exist means. */
  async search(
    baseDn: string,
    filter: string,
    attributes: string[],
    options: { sizeLimit?: number; binary?: string[]; scope?: 'sub' | 'base' },
  ): Promise<SearchAnswer> {
    try {
      const { searchEntries } = await this.client.search(baseDn, {
        scope: options.scope ?? 'sub',
        filter,
        attributes,
        explicitBufferAttributes: options.binary ?? [],
        sizeLimit: options.sizeLimit ?? 0,
      });
      return searchEntries;
    } catch (error) {
      if (error instanceof SizeLimitExceededError) return 'too_many';
      if (error instanceof NoSuchObjectError && options.scope === 'base') return [];
      throw unavailable(`search under ${baseDn}`, error);
    }
  }

  async close(): Promise<void> {
    await this.client.unbind().catch(() => undefined);
  }
}

function unavailable(step: string, error: unknown): DirectoryUnavailable {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new DirectoryUnavailable(`${step}: ${message}`);
}

/** The URL's host, without an IPv6 literal's brackets (what ldapts connects to). */
function hostOf(url: string): string {
  return new URL(url).hostname.replace(/^\[|\]$/g, '');
}

/** SNI for a DNS name only: RFC 6066 §3 forbids literal IPv4 and IPv6 addresses in HostName. */
function sniFor(host: string): { servername?: string } {
  return isIP(host) === 0 ? { servername: host } : {};
}

/**
 * The sockets of one StartTLS connection, seen through ldapts' documented connection hooks, so
 * that the StartTLS step has a deadline. ldapts times the StartTLS extended request
 * (`timeout`) and the TCP connect (`connectTimeout`), but not the TLS handshake that follows
 * (tls.connect on the connected socket): a directory that answers the request and then never
 * answers the ClientHello would hold the sign-in forever.
 */
class StartTlsTransport {
  private tcp: Socket | null = null;
  private tls: TLSSocket | null = null;

  /** net.connect and tls.connect as ldapts would call them, keeping the sockets made. */
  readonly clientOptions: Pick<ClientOptions, 'createConnection' | 'createSecureConnection'> = {
    createConnection: (...args: unknown[]) => {
      this.tcp = (connectTcp as (...args: unknown[]) => Socket)(...args);
      return this.tcp;
    },
    createSecureConnection: (...args: unknown[]) => {
      this.tls = (connectTls as (...args: unknown[]) => TLSSocket)(...args);
      return this.tls;
    },
  };

  /**
   * StartTLS (RFC 4511 §4.14.1, RFC 4513 §3), the extended request and the TLS handshake
   * together within `timeoutMs` of the TCP connection being up (the TCP connect has its own
   * `connectTimeout`): past it both sockets are destroyed and DirectoryUnavailable thrown.
   */
  async upgrade(client: Client, options: ConnectionOptions, timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    let expire!: (error: DirectoryUnavailable) => void;
    const expired = new Promise<never>((_, reject) => (expire = reject));
    const arm = () => {
      timer = setTimeout(() => {
        const error = new DirectoryUnavailable(`StartTLS: no TLS within ${timeoutMs} ms`);
        // Destroying the TLS socket with an error settles ldapts' pending handshake promise
        // (a plain destroy() would leave it pending for good); destroying the TCP socket ends
        // the connection and fails the extended request if that is what is still waiting.
        this.tls?.destroy(error);
        this.tcp?.destroy();
        expire(error);
      }, timeoutMs);
    };
    // ldapts connects synchronously inside startTLS (createConnection) before any await; were
    // there no connecting socket to wait for, the deadline starts now rather than never.
    const upgrading = client.startTLS(options);
    const tcp = this.tcp;
    if (tcp?.connecting) tcp.once('connect', arm);
    else arm();
    try {
      // Promise.race subscribes to `upgrading`, so its rejection after the deadline (the
      // request or the handshake failing on the destroyed sockets) is handled and goes nowhere.
      await Promise.race([upgrading, expired]);
    } finally {
      clearTimeout(timer);
      tcp?.removeListener('connect', arm);
    }
  }
}
