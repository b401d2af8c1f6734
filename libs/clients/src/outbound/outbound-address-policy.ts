import { BlockList, isIP } from 'node:net';

/**
 * Addresses a request to a client-registered URL never goes to (CONTRACT §2, §3 "Outbound
 * requests"): link-local (cloud instance metadata lives at 169.254.169.254 and fe80::/10), the
 * metadata addresses of clouds that use other ranges, and "this host" (0.0.0.0/8 and `::` reach
 * the local machine on Linux). IPv4-mapped IPv6 forms (::ffff:a.b.c.d) match the IPv4 rules:
 * BlockList compares them as IPv4.
 */
const ALWAYS_DENIED = blockList([
  ['169.254.0.0', 16, 'ipv4'],
  ['0.0.0.0', 8, 'ipv4'],
  ['100.100.100.200', 32, 'ipv4'], // Alibaba Cloud metadata
  ['fe80::', 10, 'ipv6'],
  ['fd00:ec2::254', 128, 'ipv6'], // AWS metadata over IPv6
  ['::', 128, 'ipv6'],
]);

/**
 * Loopback and private (intranet) ranges, refused only with OUTBOUND_DENY_PRIVATE=true: a
 * company's applications live there, and Hydra allows them too (CONTRACT §3).
 */
const PRIVATE = blockList([
  ['127.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'], // RFC 6598 shared address space (carrier-grade NAT)
  ['::1', 128, 'ipv6'],
  ['fc00::', 7, 'ipv6'], // RFC 4193 unique local
]);

/** Names of metadata services that some clouds resolve only inside the instance. */
const METADATA_HOSTNAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
]);

type Rule = [address: string, prefix: number, family: 'ipv4' | 'ipv6'];

function blockList(rules: Rule[]): BlockList {
  const list = new BlockList();
  for (const [address, prefix, family] of rules) list.addSubnet(address, prefix, family);
  return list;
}

/**
 * Why a request to the IP `address` is refused, or null when it may go there. Link-local,
 * unspecified and cloud-metadata addresses are always refused; loopback and private ones only
 * when `denyPrivate` is set. A string that is not an IP address is refused.
 */
export function deniedAddressReason(address: string, denyPrivate: boolean): string | null {
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  const embedded = family === 6 ? nat64Ipv4(address) : null;
  if (embedded) return deniedAddressReason(embedded, denyPrivate);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (ALWAYS_DENIED.check(address, type))
    return 'a link-local, unspecified or cloud-metadata address';
  if (denyPrivate && PRIVATE.check(address, type))
    return 'a loopback or private address (OUTBOUND_DENY_PRIVATE)';
  return null;
}

/**
 * The IPv4 address inside an RFC 6052 NAT64 address (64:ff9b::/96), or null: on a NAT64 network
 * 64:ff9b::a9fe:a9fe reaches 169.254.169.254.
 */
function nat64Ipv4(address: string): string | null {
  const compressed = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const match = /^64:ff9b::(?:([0-9a-f]{1,4}):)?([0-9a-f]{1,4})$/.exec(compressed);
  if (!match) return null;
  const [high, low] = [parseInt(match[1] ?? '0', 16), parseInt(match[2], 16)];
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/**
 * Why a URL's host is refused before any lookup, or null: a metadata service name, or an IP
 * literal that deniedAddressReason() refuses whatever the setting (used at registration, where
 * a name's addresses are not known yet, and before each request).
 */
export function deniedHostReason(hostname: string, denyPrivate: boolean): string | null {
  const host = bareHost(hostname);
  if (METADATA_HOSTNAMES.has(host)) return 'a cloud-metadata host name';
  return isIP(host) === 0 ? null : deniedAddressReason(host, denyPrivate);
}

/** A URL's hostname as an address or name: without IPv6 brackets and a trailing dot, lower case. */
export function bareHost(hostname: string): string {
  return hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
}
