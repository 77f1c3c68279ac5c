import { BlockList, isIP } from 'node:net';

/**
 * Addresses a webhook must not reach: a webhook URL is chosen by an API caller and the alerts
 * worker POSTs to it from inside the deployment, so these would turn it into a way to reach
 * Redis, InfluxDB, the API itself or the cloud's metadata service (SSRF).
 */
const BLOCKED: Array<[network: string, prefix: number, type: 'ipv4' | 'ipv6', why: string]> = [
  ['0.0.0.0', 8, 'ipv4', '"this network" (0.0.0.0/8)'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['10.0.0.0', 8, 'ipv4', 'private (RFC 1918)'],
  ['172.16.0.0', 12, 'ipv4', 'private (RFC 1918)'],
  ['192.168.0.0', 16, 'ipv4', 'private (RFC 1918)'],
  ['100.64.0.0', 10, 'ipv4', 'carrier-grade NAT (RFC 6598)'],
  // 169.254.169.254, the metadata service of AWS, GCP, Azure and others, is in here.
  ['169.254.0.0', 16, 'ipv4', 'link-local or cloud metadata'],
  ['192.0.0.0', 24, 'ipv4', 'IETF protocol assignments'],
  ['198.18.0.0', 15, 'ipv4', 'benchmarking'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  // fd00:ec2::254, AWS's IPv6 metadata service, is in here.
  ['fc00::', 7, 'ipv6', 'unique local (private) or cloud metadata'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];

const lists = BLOCKED.map(([network, prefix, type, why]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, type);
  return { list, why };
});

/**
 * Why an IP address is not a place for a webhook (loopback, private, link-local, CGNAT, metadata,
 * multicast …), or undefined for a public address. IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is
 * judged by its IPv4 address. Anything that is not an IP address is refused too.
 */
export function nonPublicAddress(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  return lists.find(({ list }) => list.check(address, type))?.why;
}
