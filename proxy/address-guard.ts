/**
 * Keeps the relay from reaching private networks: every address it connects to is checked
 * against the special-purpose ranges, at connect time (inside DNS lookup), so a name that
 * resolves to a public address once and to 127.0.0.1 later (DNS rebinding) is still refused.
 */
import {
  lookup as dnsLookup,
  type LookupAddress,
  type LookupAllOptions,
  type LookupOneOptions,
} from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { RelayError } from './relay-error.ts';

/**
 * Special-purpose ranges that are not the public internet: RFC 6890 (IPv4 and IPv6
 * special-purpose registries), RFC 6598 (shared address space), RFC 4193 (unique local),
 * RFC 4291 (link-local, multicast, loopback, IPv4-mapped), RFC 5737 and 3849 (documentation).
 */
const SPECIAL_RANGES: readonly [string, number, 'ipv4' | 'ipv6'][] = [
  ['0.0.0.0', 8, 'ipv4'], // "this network"
  ['10.0.0.0', 8, 'ipv4'], // private
  ['100.64.0.0', 10, 'ipv4'], // carrier-grade NAT
  ['127.0.0.0', 8, 'ipv4'], // loopback
  ['169.254.0.0', 16, 'ipv4'], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12, 'ipv4'], // private
  ['192.0.0.0', 24, 'ipv4'], // IETF protocol assignments
  ['192.0.2.0', 24, 'ipv4'], // documentation
  ['192.88.99.0', 24, 'ipv4'], // 6to4 relay anycast
  ['192.168.0.0', 16, 'ipv4'], // private
  ['198.18.0.0', 15, 'ipv4'], // benchmarking
  ['198.51.100.0', 24, 'ipv4'], // documentation
  ['203.0.113.0', 24, 'ipv4'], // documentation
  ['224.0.0.0', 4, 'ipv4'], // multicast
  ['240.0.0.0', 4, 'ipv4'], // reserved, broadcast
  ['::', 128, 'ipv6'], // unspecified
  ['::1', 128, 'ipv6'], // loopback
  ['64:ff9b::', 96, 'ipv6'], // NAT64: may embed a private IPv4
  ['64:ff9b:1::', 48, 'ipv6'], // local-use NAT64
  ['100::', 64, 'ipv6'], // discard
  ['2001:db8::', 32, 'ipv6'], // documentation
  ['2002::', 16, 'ipv6'], // 6to4: may embed a private IPv4
  ['fc00::', 7, 'ipv6'], // unique local
  ['fe80::', 10, 'ipv6'], // link-local
  ['ff00::', 8, 'ipv6'], // multicast
];

const special = new BlockList();
for (const [address, prefix, family] of SPECIAL_RANGES) special.addSubnet(address, prefix, family);

/** IPv4-mapped (`::ffff:a.b.c.d`) addresses are judged by their IPv4 part. */
const MAPPED_V4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** True when `address` (an IP literal) is private, loopback or otherwise not public. */
export function isSpecialAddress(address: string): boolean {
  const mappedV4 = MAPPED_V4.exec(address)?.[1];
  if (mappedV4 !== undefined) return special.check(mappedV4, 'ipv4');
  const family = isIP(address);
  if (family === 4) return special.check(address, 'ipv4');
  if (family === 6) {
    // BlockList does not accept every textual form (e.g. ::ffff:7f00:1); refuse what it cannot judge.
    try {
      return special.check(address, 'ipv6') || /^::ffff:/i.test(address);
    } catch {
      return true;
    }
  }
  return true;
}

function refusal(host: string): RelayError {
  return new RelayError(
    'private_address',
    `${host} resolves to a private or loopback address; name it with --allow-private to relay to it.`,
  );
}

/** Refuses an IP-literal upstream before connecting (no lookup happens for literals). */
export function checkLiteralAddress(hostname: string, host: string): RelayError | null {
  return isIP(hostname) !== 0 && isSpecialAddress(hostname) ? refusal(host) : null;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for `http.request` that resolves as usual, then refuses special addresses.
 * `host` is only used in the error message.
 */
export function guardedLookup(host: string) {
  return (
    hostname: string,
    options: LookupOneOptions | LookupAllOptions,
    callback: LookupCallback,
  ): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const first = addresses[0];
      if (first === undefined || addresses.some((a) => isSpecialAddress(a.address))) {
        return callback(refusal(host), []);
      }
      if ('all' in options && options.all) return callback(null, addresses);
      return callback(null, first.address, first.family);
    });
  };
}
