import { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, LookupFunction } from 'node:net';

import { bareHost, deniedAddressReason, deniedHostReason } from './outbound-address-policy';

/** All addresses of a host name, as dns.lookup({ all: true }) gives them. */
export type ResolveAll = (hostname: string) => Promise<LookupAddress[]>;

/** One request to a client-registered URL. */
export interface OutboundRequest {
  readonly method?: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** For the whole exchange: name lookup, connection, and reading the body. */
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
}

/** The answer, whatever its status: redirects are answers too, never followed. */
export interface OutboundResponse {
  readonly status: number;
  readonly body: string;
}

/** Loopback host names for which plain http is allowed (RFC 8252 §7.3; CONTRACT §4). */
const LOOPBACK_HTTP_HOSTS = ['localhost', '::1'];

const resolveWithDns: ResolveAll = (hostname) => lookup(hostname, { all: true, verbatim: true });

/**
 * Requests to URLs that clients registered (jwks_uri, later backchannel_logout_uri), which an
 * administrator or an attacker-controlled DNS zone may point anywhere (CONTRACT §3 "Outbound
 * requests"): https, or http to a loopback host; no credentials in the URL; every address the
 * host resolves to checked against the address policy, and the connection made to a checked
 * address (a second lookup could answer differently: DNS rebinding); no redirects followed; a
 * deadline and a body size limit. Throws an Error saying why on any refusal or failure.
 */
export class OutboundHttpClient {
  private readonly resolve: ResolveAll;

  constructor(
    private readonly options: { readonly denyPrivate: boolean; readonly resolve?: ResolveAll },
  ) {
    this.resolve = options.resolve ?? resolveWithDns;
  }

  async send(uri: string, request: OutboundRequest): Promise<OutboundResponse> {
    const url = allowedUrl(uri);
    const deadline = AbortSignal.timeout(request.timeoutMs);
    const addresses = await withDeadline(this.checkedAddresses(url), deadline);
    return exchange(url, addresses, request, deadline);
  }

  private async checkedAddresses(url: URL): Promise<LookupAddress[]> {
    const host = bareHost(url.hostname);
    const hostProblem = deniedHostReason(host, this.options.denyPrivate);
    if (hostProblem) throw new Error(`${host} is ${hostProblem}`);
    const family = isIP(host);
    const addresses = family !== 0 ? [{ address: host, family }] : await this.resolve(host);
    if (addresses.length === 0) throw new Error(`${host} has no address`);
    // Every address, not only the first: the connection may use any of them.
    for (const { address } of addresses) {
      const reason = deniedAddressReason(address, this.options.denyPrivate);
      if (reason) throw new Error(`${host} resolves to ${address}, ${reason}`);
    }
    return addresses;
  }
}

/** CONTRACT §4: https, or http on a loopback host for development; never user:password@. */
function allowedUrl(uri: string): URL {
  const url = new URL(uri);
  if (url.username !== '' || url.password !== '') throw new Error('the URL carries credentials');
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(bareHost(url.hostname))) return url;
  throw new Error('neither https nor http on a loopback host');
}

function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HTTP_HOSTS.includes(host) || /^127(?:\.\d{1,3}){3}$/.test(host);
}

function withDeadline<T>(work: Promise<T>, deadline: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Error('timed out'));
    if (deadline.aborted) onAbort();
    deadline.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => deadline.removeEventListener('abort', onAbort));
  });
}

/** The lookup of the request answers with the checked addresses, so the connection uses them. */
function pinnedLookup(addresses: LookupAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, addresses);
    else callback(null, addresses[0].address, addresses[0].family);
  };
}

function exchange(
  url: URL,
  addresses: LookupAddress[],
  request: OutboundRequest,
  deadline: AbortSignal,
): Promise<OutboundResponse> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = send(
      url,
      {
        method: request.method ?? 'GET',
        headers: request.headers,
        lookup: pinnedLookup(addresses),
        // A pooled socket could be one opened to another address of the name: a new one each time.
        agent: false,
        signal: deadline,
      },
      (res) => {
        readLimited(res, request.maxBodyBytes).then(
          (body) => resolve({ status: res.statusCode ?? 0, body }),
          (error: unknown) =>
            reject(deadline.aborted || !(error instanceof Error) ? new Error('timed out') : error),
        );
      },
    );
    outgoing.on('error', (error) => reject(deadline.aborted ? new Error('timed out') : error));
    outgoing.end(request.body);
  });
}

async function readLimited(res: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(res.headers['content-length'] ?? 0);
  if (declared > maxBytes) {
    res.destroy();
    throw new Error(`body of ${declared} bytes exceeds ${maxBytes}`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      res.destroy();
      throw new Error(`body exceeds ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
