import { BlockList, isIP } from 'node:net';

/**
 * Addresses a webhook may not reach unless the server runs with --webhook-allow-private: the
 * machine itself, its private networks and the cloud metadata service. An admin who could point
 * a webhook there could scan and read internal services from the server's side of the firewall.
 */
const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local host
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, including the metadata service 169.254.169.254
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified: reaches the local host
  ['::1', 128],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // the old site-local
  ['ff00::', 8], // multicast
  ['fd00:ec2::', 32], // the AWS metadata service over IPv6 (inside fc00::/7; named for the reader)
  ['64:ff9b:1::', 48], // local-use NAT64 (RFC 8215): translated inside the operator's network
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv6');
}

/**
 * IPv6 forms that carry an IPv4 address a host or router may turn back into IPv4: NAT64, 6to4,
 * IPv4-compatible (::a.b.c.d) and IPv4-translated (::ffff:0:a.b.c.d).
 */
function embeddedIpv4(address: string): string | undefined {
  const groups = expandIpv6(address);
  if (!groups) return undefined;
  const toIpv4 = (high: number, low: number) => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  // 64:ff9b::/96 (NAT64, well-known prefix)
  if (groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((group) => group === 0)) {
    return toIpv4(groups[6] as number, groups[7] as number);
  }
  // 2002::/16 (6to4): the IPv4 address is the next 32 bits
  if (groups[0] === 0x2002) return toIpv4(groups[1] as number, groups[2] as number);
  const zeros = (from: number, to: number) => groups.slice(from, to).every((group) => group === 0);
  // ::/96 (IPv4-compatible, deprecated but still routed by some stacks); :: and ::1 are listed
  if (zeros(0, 6)) return toIpv4(groups[6] as number, groups[7] as number);
  // ::ffff:0:0/96 (IPv4-translated, SIIT)
  if (zeros(0, 4) && groups[4] === 0xffff && groups[5] === 0)
    return toIpv4(groups[6] as number, groups[7] as number);
  return undefined;
}

/** The eight 16-bit groups of an IPv6 address, or undefined if it is not one. */
function expandIpv6(address: string): number[] | undefined {
  if (isIP(address) !== 6) return undefined;
  let text = address.split('%')[0] as string;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part ? part.split(':').map((group) => Number.parseInt(group, 16)) : []);
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  const middle = tail === undefined ? [] : new Array(8 - front.length - back.length).fill(0);
  return [...front, ...middle, ...back];
}

/** True for an IP address (v4 or v6, IPv4-mapped included) a webhook may not reach by default. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 4) return PRIVATE.check(bare, 'ipv4');
  if (family !== 6) return false;
  if (PRIVATE.check(bare, 'ipv6')) return true;
  const inner = embeddedIpv4(bare);
  return inner !== undefined && PRIVATE.check(inner, 'ipv4');
}

/** Host names that mean this machine whatever DNS says (RFC 6761). */
export function isLocalHostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/** A URL host (as `new URL` normalizes it) that is private before any DNS lookup. */
export function isPrivateHost(hostname: string): boolean {
  return isLocalHostName(hostname) || isPrivateAddress(hostname);
}

/** The one message a refused address gets, in the API and in the delivery log alike. */
export const PRIVATE_ADDRESS_REFUSED =
  'the address is loopback, private or link-local; the server refuses it unless started with --webhook-allow-private';
