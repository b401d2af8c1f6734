import { isIPv4, isIPv6 } from 'node:net';

/**
 * The key under which the sign-in limits count a client address: an IPv4 address as it is
 * (an IPv4-mapped IPv6 address as its IPv4 form), an IPv6 address as its /64 prefix, since one
 * subscriber is routinely given a whole /64 and could otherwise step around any per-address
 * limit. Anything else (no address known) is one shared key.
 */
export function clientAddressKey(address: string | null | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped && isIPv4(mapped[1])) return mapped[1];
  if (isIPv4(address)) return address;
  const zoneless = address.split('%')[0];
  if (!isIPv6(zoneless)) return 'unknown';
  const groups = expandIPv6(zoneless);
  // Any spelling of an IPv4-mapped address (`::ffff:102:304` too) is that IPv4 address.
  if (groups.slice(0, 5).every((g) => g === '0') && groups[5] === 'ffff')
    return ipv4FromGroups(groups[6], groups[7]);
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, lower-case, without leading zeros. */
function expandIPv6(address: string): string[] {
  const [head, tail] = address.includes('::') ? address.split('::') : [address, null];
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = tail === null ? [] : groups(tail);
  // An embedded IPv4 tail (::ffff:1.2.3.4 style) counts as two groups.
  const expandTail = (list: string[]) =>
    list.flatMap((g) => (g.includes('.') ? ipv4Groups(g) : [g]));
  const l = expandTail(left);
  const r = expandTail(right);
  const middle = tail === null ? [] : new Array<string>(8 - l.length - r.length).fill('0');
  return [...l, ...middle, ...r].map((g) => parseInt(g, 16).toString(16));
}

function ipv4FromGroups(high: string, low: string): string {
  const [h, l] = [parseInt(high, 16), parseInt(low, 16)];
  return [h >> 8, h & 255, l >> 8, l & 255].join('.');
}

function ipv4Groups(v4: string): string[] {
  const [a, b, c, d] = v4.split('.').map(Number);
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}
