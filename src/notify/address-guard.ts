import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/** Resolves a host name to every address it has (dns.lookup by default; tests give their own). */
export type Resolver = (hostname: string) => Promise<string[]>;

export const systemResolver: Resolver = async (hostname) => (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/**
 * Names that never belong to a public receiver: RFC 6761/8375 special-use and private-use
 * suffixes (`metadata.google.internal`, `printer.local`, `router.home.arpa`).
 */
const PRIVATE_NAME = /(^|\.)(localhost|internal|local|home\.arpa|localdomain)\.?$/i;

/**
 * Why a webhook may not reach this IP address, or null when it is a public unicast address.
 * ipaddr.js names the range (loopback, private, linkLocal, uniqueLocal, carrierGradeNat,
 * multicast, broadcast, unspecified, reserved, teredo, the local-use NAT64 prefix, …); only
 * `unicast` passes. IPv6 forms that carry an IPv4 address (mapped `::ffff:a.b.c.d`, compatible
 * `::a.b.c.d`, SIIT `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`, 6to4 `2002:AABB:CCDD::`) are
 * judged by the IPv4 address they lead to, so `[::127.0.0.1]` is loopback.
 */
export function refusedAddress(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  let parsed = ipaddr.parse(address);
  const via: string[] = [];
  if (parsed.kind() === 'ipv6') {
    const embedded = embeddedIPv4(parsed as ipaddr.IPv6);
    if (embedded) {
      via.push(embedded.form);
      parsed = embedded.address;
    }
  }
  const range = parsed.range();
  if (range === 'unicast') return null;
  return via.length > 0 ? `${range} (as ${via[0]} of ${parsed.toString()})` : range;
}

/** True when a webhook may not reach this address by default. */
export function isPrivateAddress(address: string): boolean {
  return refusedAddress(address) !== null;
}

function embeddedIPv4(address: ipaddr.IPv6): { form: string; address: ipaddr.IPv4 } | null {
  const p = address.parts;
  const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  const zeros = (from: number, to: number) => p.slice(from, to).every((part) => part === 0);
  if (zeros(0, 5) && p[5] === 0xffff) return { form: 'IPv4-mapped', address: v4(p[6]!, p[7]!) };
  if (zeros(0, 4) && p[4] === 0xffff && p[5] === 0) return { form: 'IPv4-translated', address: v4(p[6]!, p[7]!) };
  // ::/96 holds IPv4-compatible addresses, and :: and ::1 themselves (0.0.0.0 and 0.0.0.1: refused too).
  if (zeros(0, 6)) return { form: 'IPv4-compatible', address: v4(p[6]!, p[7]!) };
  if (p[0] === 0x64 && p[1] === 0xff9b && zeros(2, 6)) return { form: 'NAT64', address: v4(p[6]!, p[7]!) };
  if (p[0] === 0x2002) return { form: '6to4', address: v4(p[1]!, p[2]!) };
  return null;
}

/**
 * Why a webhook host (an IP literal or a name) is refused, or null. Names are refused by suffix,
 * then resolved, and refused when any address they resolve to is refused (or when they do not
 * resolve at all). Delivery checks the resolved addresses again, so a name that later moves to a
 * private address is still refused.
 */
export async function refusedHost(hostname: string, resolve: Resolver): Promise<string | null> {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(host)) {
    const reason = refusedAddress(host);
    return reason && `${host} is a ${reason} address`;
  }
  if (PRIVATE_NAME.test(host)) return `${host} is a local or internal name`;
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch {
    return `${host} does not resolve`;
  }
  if (addresses.length === 0) return `${host} does not resolve`;
  for (const address of addresses) {
    const reason = refusedAddress(address);
    if (reason) return `${host} resolves to ${address}, a ${reason} address`;
  }
  return null;
}
