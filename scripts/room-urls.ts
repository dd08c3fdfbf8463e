/**
 * What the instructor shows a room (docs/workshop.md): the page participants open to donate
 * their tab, the emulator's pipelines page, and per project the `git remote add` command with
 * the workshop user and password. Named by the first `--public-url`, else, when bound to every
 * interface, by this machine's first LAN address, else by the bound address itself.
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

export interface RoomUrlsInput {
  /** Interface both servers bind (`--host`). */
  host: string;
  publicUrls: readonly string[];
  /** The relay's own URL (scheme and port). */
  relayUrl: string;
  /** The emulator's own URL (its port). */
  emulatorUrl: string;
  /** `group/project` paths. */
  projectPaths: readonly string[];
  password: string;
}

export interface RoomUrls {
  /** The tabrunner page. */
  page: string;
  /** The emulator's page of pipelines. */
  pipelines: string;
  /** One `git remote add workshop …` command per project. */
  remotes: { project: string; command: string }[];
}

/** The user name printed in remotes; any name works with the workshop password. */
export const WORKSHOP_USER = 'workshop';

const WILDCARD = new Set(['0.0.0.0', '::']);

/** The URLs for a room; `interfaces` is this machine's by default. */
export function roomUrls(
  input: RoomUrlsInput,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): RoomUrls {
  const publicUrl = input.publicUrls[0];
  const relay = new URL(input.relayUrl);
  const page = publicUrl
    ? new URL(publicUrl).origin
    : `${relay.protocol}//${roomHost(input, interfaces)}:${relay.port}`;
  return { page: `${page}/`, ...emulatorRoomUrls(input, interfaces) };
}

/** The emulator's part of a room (no relay): `npm run emulator` prints it alone. */
export function emulatorRoomUrls(
  input: Omit<RoomUrlsInput, 'relayUrl'>,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): Omit<RoomUrls, 'page'> {
  const emulator = `http://${roomHost(input, interfaces)}:${new URL(input.emulatorUrl).port}`;
  const credentials = `${WORKSHOP_USER}:${encodeURIComponent(input.password)}`;
  return {
    pipelines: `${emulator}/`,
    remotes: input.projectPaths.map((project) => ({
      project,
      command: `git remote add workshop ${emulator.replace('http://', `http://${credentials}@`)}/${project}.git`,
    })),
  };
}

/** The host name a room uses for this machine, bracketed when it is an IPv6 address. */
function roomHost(
  input: Pick<RoomUrlsInput, 'host' | 'publicUrls'>,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>,
): string {
  const publicUrl = input.publicUrls[0];
  const name = publicUrl
    ? new URL(publicUrl).hostname
    : (roomAddress(input.host, interfaces) ?? input.host);
  return name.includes(':') && !name.startsWith('[') ? `[${name}]` : name;
}

/**
 * The address a room reaches this machine by when bound to every interface (`host` 0.0.0.0 or
 * `::`): its first non-internal IPv4 address. Undefined for any other `host`, or without one.
 */
export function roomAddress(
  host: string,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string | undefined {
  if (!WILDCARD.has(host)) return undefined;
  for (const list of Object.values(interfaces)) {
    const found = list?.find((info) => info.family === 'IPv4' && !info.internal);
    if (found) return found.address;
  }
  return undefined;
}
