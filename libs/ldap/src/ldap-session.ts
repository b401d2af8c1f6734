import { isIP } from 'node:net';
import { ConnectionOptions } from 'node:tls';

import { Client, InvalidCredentialsError, NoSuchObjectError, SizeLimitExceededError } from 'ldapts';

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
    const tlsOptions: ConnectionOptions = {
      minVersion: 'TLSv1.2',
      ...(endpoint.caCertificate ? { ca: [endpoint.caCertificate] } : {}),
    };
    const client = new Client({
      url: endpoint.url,
      timeout: endpoint.timeoutMs,
      connectTimeout: endpoint.timeoutMs,
      // ldapts opens TLS at once whenever tlsOptions are given: only for ldaps://.
      ...(endpoint.url.startsWith('ldaps:') ? { tlsOptions } : {}),
      strictDN: false,
    });
    const session = new LdapSession(client);
    try {
      // RFC 4513 §3.1.3: after StartTLS the certificate must name the host of the URL. ldapts
      // passes no name to the TLS layer, so it is given here (and as SNI for a DNS name).
      if (endpoint.startTls) await client.startTLS({ ...tlsOptions, ...serverName(endpoint.url) });
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

/** The host a StartTLS certificate must name, and SNI when that host is a DNS name. */
function serverName(url: string): { host: string; servername?: string } {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return isIP(host) === 0 ? { host, servername: host } : { host };
}
