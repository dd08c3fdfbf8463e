/**
 * What the instructor shows a room (docs/workshop.md): the page participants open to donate
 * their tab, the emulator's pipelines page, and per project the `git remote add` command with
 * the workshop user and password; and the page for the instructor's own browser. The room
 * names this machine by the first `--public-url`, else, when bound to every interface, by its
 * first LAN address, else by the bound address itself. The emulator's URL for the room is also
 * its external URL (`roomEmulatorUrl`): the links it hands to tabs are on it.
 */
import { X509Certificate } from 'node:crypto';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

export interface RoomUrlsInput {
  /** Interface both servers bind (`--host`). */
  host: string;
  publicUrls: readonly string[];
  /** The relay's own URL (scheme and port). */
  relayUrl: string;
  /** The emulator's external URL (`Emulator.externalUrl`). */
  emulatorUrl: string;
  /** `group/project` paths. */
  projectPaths: readonly string[];
  password: string;
  /** The relay's PEM certificate (`--tls-cert`), whose names decide `ownPage`. */
  certificate?: string;
}

export interface RoomUrls {
  /** The tabrunner page, for the room. */
  page: string;
  /**
   * The tabrunner page for a browser on this machine: `localhost` when bound to every interface
   * (a secure context even over plain HTTP), unless the certificate does not name it.
   */
  ownPage: string;
  /** The emulator's page of pipelines. */
  pipelines: string;
  /** Per project its clone URL, with the workshop credentials, and `git remote add workshop …`. */
  remotes: { project: string; url: string; command: string }[];
}

/** The user name printed in remotes; any name works with the workshop password. */
export const WORKSHOP_USER = 'workshop';

const WILDCARD = new Set(['0.0.0.0', '::']);
const LOOPBACK = /^(?:localhost|::1|127\.\d+\.\d+\.\d+)$/i;

/** Whether `--host` binds loopback only, where no other machine can reach either server. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host.replace(/^\[|\]$/g, ''));
}

/** The URLs for a room; `interfaces` is this machine's by default. */
export function roomUrls(
  input: RoomUrlsInput,
  interfaces: Interfaces = networkInterfaces(),
): RoomUrls {
  const publicUrl = input.publicUrls[0];
  const relay = new URL(input.relayUrl);
  const page = publicUrl
    ? `${new URL(publicUrl).origin}/`
    : withHost(relay, roomHost(input, interfaces) ?? 'localhost');
  return { page, ownPage: ownPage(relay, page, input.certificate), ...emulatorRoomUrls(input) };
}

/** The emulator's part of a room (no relay): `npm run emulator` prints it alone. */
export function emulatorRoomUrls(
  input: Pick<RoomUrlsInput, 'emulatorUrl' | 'projectPaths' | 'password'>,
): Omit<RoomUrls, 'page' | 'ownPage'> {
  const emulator = new URL(input.emulatorUrl).origin;
  const credentials = `${WORKSHOP_USER}:${encodeURIComponent(input.password)}`;
  return {
    pipelines: `${emulator}/`,
    remotes: input.projectPaths.map((project) => {
      const url = `${emulator.replace('://', `://${credentials}@`)}/${project}.git`;
      return { project, url, command: `git remote add workshop ${url}` };
    }),
  };
}

/**
 * The URL a room reaches the emulator by on `port`, to be its external URL
 * (`EmulatorOptions.externalUrl`). Undefined when it listens on loopback only (nothing to hand a
 * room: its own URL stays), or on every interface with no name for this machine.
 */
export function roomEmulatorUrl(
  input: Pick<RoomUrlsInput, 'host' | 'publicUrls'>,
  port: number,
  interfaces: Interfaces = networkInterfaces(),
): string | undefined {
  if (isLoopbackHost(input.host)) return undefined;
  const host = roomHost(input, interfaces);
  return host === undefined ? undefined : `http://${host}:${port}`;
}

/**
 * The host name a room uses for this machine, bracketed when it is an IPv6 address; undefined
 * when bound to every interface with neither a `--public-url` nor a LAN address.
 */
function roomHost(
  input: Pick<RoomUrlsInput, 'host' | 'publicUrls'>,
  interfaces: Interfaces,
): string | undefined {
  const publicUrl = input.publicUrls[0];
  const name = publicUrl
    ? new URL(publicUrl).hostname
    : WILDCARD.has(input.host)
      ? roomAddress(input.host, interfaces)
      : input.host;
  if (name === undefined) return undefined;
  return name.includes(':') && !name.startsWith('[') ? `[${name}]` : name;
}

/**
 * The relay's URL for this machine's own browser. Bound to every interface, its listen address
 * (0.0.0.0) is no name it answers to, while `localhost` is one, and a secure context, which
 * WebContainer needs. A certificate that does not name `localhost` would be refused there, so
 * the room's page is given instead.
 */
function ownPage(relay: URL, page: string, certificate: string | undefined): string {
  if (!WILDCARD.has(relay.hostname.replace(/^\[|\]$/g, ''))) return `${relay.origin}/`;
  if (
    certificate !== undefined &&
    new X509Certificate(certificate).checkHost('localhost') === undefined
  ) {
    return page;
  }
  return withHost(relay, 'localhost');
}

/** `url`'s origin with another host name, and a slash. */
function withHost(url: URL, host: string): string {
  const renamed = new URL(url);
  renamed.hostname = host;
  return `${renamed.origin}/`;
}

/**
 * The address a room reaches this machine by when bound to every interface (`host` 0.0.0.0 or
 * `::`): its first non-internal IPv4 address. Undefined for any other `host`, or without one.
 */
export function roomAddress(
  host: string,
  interfaces: Interfaces = networkInterfaces(),
): string | undefined {
  if (!WILDCARD.has(host)) return undefined;
  for (const list of Object.values(interfaces)) {
    const found = list?.find((info) => info.family === 'IPv4' && !info.internal);
    if (found) return found.address;
  }
  return undefined;
}
