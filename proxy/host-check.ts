/**
 * Which `Host` values the relay answers to. A page on attacker.example whose name the attacker
 * later points at the relay (DNS rebinding) sends `Host: attacker.example` and a matching
 * `Origin`, so the origin check (cors.ts) would take it for the relay's own page. Only the names
 * the relay listens on and the public URLs it is given (`--public-url`) are accepted.
 */
import { isIP, type AddressInfo } from 'node:net';
import { printableHost } from './relay-path.ts';
import { RelayError } from './relay-error.ts';

/** A loopback or wildcard listen is reached by these names on this machine. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** `host[:port]` as a `http://` URL spells it: lower case, port 80 left out. */
function normalizeHost(host: string): string | null {
  try {
    const url = new URL(`http://${host}`);
    return url.username || url.password || url.pathname !== '/' ? null : url.host;
  } catch {
    return null;
  }
}

function isLoopbackOrWildcard(address: string): boolean {
  return (
    address === 'localhost' ||
    address === '' ||
    address === '0.0.0.0' ||
    address === '::' ||
    address === '::1' ||
    /^(?:::ffff:)?127\.\d+\.\d+\.\d+$/i.test(address)
  );
}

/**
 * The `host:port` names of a server bound to `addresses` (the configured `--host` and the
 * address it resolved to) on `port`. An `https` server on 443 is also named without the port,
 * as browsers send it (an `http` one on 80 needs nothing: normalizeHost drops `:80`).
 */
export function listenHostNames(
  addresses: readonly string[],
  port: number,
  scheme: 'http' | 'https' = 'http',
): string[] {
  const names = new Set<string>();
  for (const raw of addresses) {
    const address = raw.replace(/^\[|\]$/g, '').toLowerCase();
    if (address !== '' && address !== '0.0.0.0' && address !== '::') {
      names.add(isIP(address) === 6 ? `[${address}]` : address);
    }
    if (isLoopbackOrWildcard(address)) for (const name of LOOPBACK_NAMES) names.add(name);
  }
  const withPort = [...names].map((name) => `${name}:${port}`);
  return scheme === 'https' && port === 443 ? [...withPort, ...names] : withPort;
}

/**
 * What a server answers to once it listens: the names of its configured host and of the address
 * it bound (`server.address()`), on the port it bound. Empty until it listens (`address` null).
 * `configuredHost` is `--host`, or Vite's `server.host` (`true` for all interfaces, which the
 * bound address already says).
 */
export function listenHostsOf(
  configuredHost: string | boolean | undefined,
  address: AddressInfo | string | null | undefined,
  scheme: 'http' | 'https' = 'http',
): string[] {
  if (!address || typeof address !== 'object') return [];
  const addresses =
    typeof configuredHost === 'string' ? [configuredHost, address.address] : [address.address];
  return listenHostNames(addresses, address.port, scheme);
}

/**
 * The `Host` values a browser sends for `publicUrl`. A TLS proxy in front may pass the name
 * with or without its default port, so both count.
 */
function publicUrlHostNames(publicUrl: string): string[] {
  const url = new URL(publicUrl);
  if (url.port !== '') return [url.host];
  return [url.hostname, `${url.hostname}:${url.protocol === 'https:' ? 443 : 80}`];
}

/**
 * An absolute URL read as text: its `host[:port]` and the path and query after it. A `Host`
 * that no URL parser accepts (`attacker.example.127.0.0.1`) still has both.
 */
export function splitUrl(requestUrl: string): { authority: string; target: string } {
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)(.*)$/is.exec(requestUrl);
  return { authority: match?.[1] ?? '', target: match?.[2] ?? requestUrl };
}

/** The check itself: null when `authority` (the `Host` as received) is allowed, else the refusal. */
export function checkHost(authority: string, allowed: ReadonlySet<string>): RelayError | null {
  const normalized = normalizeHost(authority);
  if (normalized !== null && allowed.has(normalized)) return null;
  return new RelayError(
    'relay_host_not_allowed',
    `The relay does not answer to "${printableHost(authority)}"; its operator can add this name with --public-url or RELAY_PUBLIC_URLS.`,
  );
}

/** The set `checkHost` takes, from listen names and public URLs. */
export function allowedHosts(
  listenNames: readonly string[],
  publicUrls: readonly string[],
): Set<string> {
  const names = [...listenNames, ...publicUrls.flatMap(publicUrlHostNames)];
  return new Set(names.map(normalizeHost).filter((name): name is string => name !== null));
}
