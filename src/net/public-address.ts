import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Where the gateway may send a request whose address a tenant chose (integrators' webhook endpoints, image
 * URLs forwarded to vendors): only public unicast addresses, unless an operator's allow-list names the host
 * or the network. A name is resolved first and every address it resolves to is checked (a name with one
 * public and one private address is refused), and the connection is then pinned to a checked address
 * (`pinnedLookup`) so a second resolution cannot swap in another one (DNS rebinding). OWASP API7:2023.
 */

/** Networks no tenant-chosen request may reach: loopback, private, CGNAT, link-local (cloud metadata), multicast, reserved. */
const BLOCKED: ReadonlyArray<readonly [string, number, 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.0.2.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['198.51.100.0', 24, 'ipv4'],
  ['203.0.113.0', 24, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  ['64:ff9b::', 96, 'ipv6'],
  ['100::', 64, 'ipv6'],
  ['2001:db8::', 32, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['fec0::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

const blocked = new BlockList();
for (const [net, prefix, family] of BLOCKED) blocked.addSubnet(net, prefix, family);

/** The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`) or IPv4-compatible IPv6 address, if any. */
function embeddedIpv4(address: string): string | undefined {
  const m = /^::(?:ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (m) return m[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return undefined;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** True when the literal address is a public unicast address. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 4) return !blocked.check(address, 'ipv4');
  const v4 = embeddedIpv4(address);
  if (v4 !== undefined) return !blocked.check(v4, 'ipv4');
  return !blocked.check(address, 'ipv6');
}

/** An operator's exceptions: host names (exact, lower case) and networks in CIDR form. Sandbox and tests use it for loopback. */
export interface AddressAllowList {
  hosts: readonly string[];
  cidrs: readonly string[];
}

export const NO_EXCEPTIONS: AddressAllowList = { hosts: [], cidrs: [] };

function allowedBy(list: AddressAllowList): (address: string) => boolean {
  const nets = new BlockList();
  for (const cidr of list.cidrs) {
    const [net, prefix] = cidr.split('/');
    const family = isIP(net ?? '');
    if (family === 0) throw new Error(`allow-list entry ${cidr} is not an address or CIDR`);
    nets.addSubnet(net!, Number(prefix ?? (family === 4 ? 32 : 128)), family === 4 ? 'ipv4' : 'ipv6');
  }
  return (address) => nets.check(address, isIP(address) === 4 ? 'ipv4' : 'ipv6');
}

export type AddressCheck =
  | { ok: true; url: URL; address: string; family: 4 | 6 }
  | { ok: false; reason: 'invalid_url' | 'scheme_not_allowed' | 'unresolvable' | 'address_not_public'; detail: string };

export interface AddressCheckOptions {
  /** Schemes accepted. Default `['https:']`. */
  schemes?: readonly string[];
  /** Exceptions an operator configured. Default none. */
  allow?: AddressAllowList;
  /** Resolver, for tests that need a name resolving to a chosen address. Default the system resolver (`dns.lookup`, all addresses). */
  resolve?: (host: string) => Promise<Array<{ address: string; family: number }>>;
}

const systemResolve = (host: string) => dnsLookup(host, { all: true, verbatim: true });

/**
 * Checks a URL a tenant chose: its scheme, then every address its host resolves to. On success gives the
 * address to connect to (the first one); connect with `pinnedLookup(check)` so nothing resolves it again.
 */
export async function checkPublicUrl(raw: string, options: AddressCheckOptions = {}): Promise<AddressCheck> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'invalid_url', detail: 'not an absolute URL' };
  }
  const schemes = options.schemes ?? ['https:'];
  if (!schemes.includes(url.protocol))
    return { ok: false, reason: 'scheme_not_allowed', detail: `scheme ${url.protocol} (allowed: ${schemes.join(', ')})` };
  if (url.username || url.password) return { ok: false, reason: 'invalid_url', detail: 'credentials in the URL' };
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const allow = options.allow ?? NO_EXCEPTIONS;
  const hostAllowed = allow.hosts.includes(host);
  const inAllowedNet = allowedBy(allow);
  let addresses: Array<{ address: string; family: number }>;
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await (options.resolve ?? systemResolve)(host);
    } catch {
      return { ok: false, reason: 'unresolvable', detail: `${host} does not resolve` };
    }
    if (addresses.length === 0) return { ok: false, reason: 'unresolvable', detail: `${host} does not resolve` };
  }
  for (const { address } of addresses) {
    if (!hostAllowed && !isPublicAddress(address) && !inAllowedNet(address)) {
      return { ok: false, reason: 'address_not_public', detail: `${host} resolves to a non-public address` };
    }
  }
  const first = addresses[0]!;
  return { ok: true, url, address: first.address, family: first.family === 6 ? 6 : 4 };
}

/** A `lookup` for http(s) agents and requests that answers with the checked address only (no second resolution). */
export function pinnedLookup(check: { address: string; family: 4 | 6 }): LookupFunction {
  return (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all)
      (callback as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [
        { address: check.address, family: check.family },
      ]);
    else callback(null, check.address, check.family);
  };
}
