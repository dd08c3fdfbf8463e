/**
 * The relay's configuration: what it may forward to, for which browser origins, and its limits.
 * Checked once with zod; every flag has an environment variable, both listed in `RELAY_FLAGS`
 * (the CLI's `--help` and docs/relay.md come from that table). Flags win over the environment.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { RelayTlsFiles } from './read-relay-tls.ts';
import { RelayTlsError } from './relay-tls-error.ts';

const MiB = 1024 * 1024;

/** One GitLab instance the relay may reach. The scheme comes from here, never from a client. */
export interface Upstream {
  scheme: 'http' | 'https';
  /** `host[:port]` as it appears in relay URLs (`/gitlab/<host>/…`), lower case, default port omitted. */
  host: string;
  /** Name or IP to connect to, without IPv6 brackets. */
  hostname: string;
  port: number;
  /** Private, loopback and other special addresses are allowed for this upstream. */
  allowPrivate: boolean;
}

/**
 * An http(s) URL naming an origin and nothing more: no credentials, query, fragment or path
 * beyond `/`. Upstreams, browser origins and public URLs must all be one.
 */
function plainOrigin(url: URL): boolean {
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    !url.username &&
    !url.password &&
    !url.search &&
    !url.hash &&
    url.pathname === '/'
  );
}

const upstreamUrl = z.string().transform((text, ctx) => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: `"${text}" is not a URL like https://gitlab.example.com`,
    });
    return z.NEVER;
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme !== 'http' && scheme !== 'https') {
    ctx.addIssue({ code: 'custom', message: `upstream ${url.host} must use http or https` });
    return z.NEVER;
  }
  if (!plainOrigin(url)) {
    // A path prefix would need rewriting of every Location and git URL; GitLab under a
    // relative root is not supported yet, and credentials never belong in configuration.
    ctx.addIssue({ code: 'custom', message: `upstream ${url.host} must be an origin only` });
    return z.NEVER;
  }
  return {
    scheme,
    host: url.host,
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : scheme === 'https' ? 443 : 80,
  } as const;
});

const origin = z.string().transform((text, ctx) => {
  try {
    const url = new URL(text);
    // Spelled as a browser's `Origin` header spells it: the two are compared as text.
    if (plainOrigin(url) && url.origin === text) return text;
  } catch {
    // reported below
  }
  ctx.addIssue({ code: 'custom', message: `"${text}" is not an origin like https://app.example` });
  return z.NEVER;
});

/** Where browsers reach the relay: an origin, optionally with a trailing `/`. */
const publicUrl = z.string().transform((text, ctx) => {
  try {
    const url = new URL(text);
    if (plainOrigin(url)) return url.origin;
  } catch {
    // reported below
  }
  ctx.addIssue({
    code: 'custom',
    message: `"${text}" is not a public URL like https://runner.example.com`,
  });
  return z.NEVER;
});

/** A CSP host-source (CSP Level 3 §2.3.1) with a scheme: `https://relay.example`, `https://*.example.com`, `http://127.0.0.1:*`. */
const cspHostSource = z
  .string()
  .regex(
    /^https?:\/\/(?:\*\.)?[a-z0-9.-]+(?::(?:\d{1,5}|\*))?$/i,
    'connect-src entries look like https://relay.example or https://*.example.com',
  );

const positiveInt = z.number().int().positive();

export const relayConfigSchema = z
  .object({
    /** GitLab instances (origins) the relay forwards to; at least one. */
    upstreams: z.array(upstreamUrl).min(1, 'name at least one upstream (--upstream)'),
    /** `host[:port]` of upstreams that may resolve to private or loopback addresses. @default [] */
    allowPrivate: z.array(z.string().toLowerCase()).default([]),
    /** Browser origins allowed to call the relay (CORS). The relay's own origin always is. @default [] */
    origins: z.array(origin).default([]),
    /**
     * URLs browsers reach the relay by, besides the address it listens on (e.g. behind a TLS
     * proxy). Requests whose `Host` names neither are refused (DNS rebinding). @default []
     */
    publicUrls: z.array(publicUrl).default([]),
    /** Largest request body forwarded, in bytes. @default 512 MiB */
    maxRequestBytes: positiveInt.default(512 * MiB),
    /** Longest silence from an upstream, in ms; above GitLab's 50 s long poll (docs/relay.md). @default 180000 */
    upstreamTimeoutMs: positiveInt.default(180_000),
    /** Time a client has to send its request headers, in ms (slow-loris guard). @default 20000 */
    headersTimeoutMs: positiveInt.default(20_000),
    /** Time a client has to send its whole request, body included, in ms. @default 600000 */
    requestTimeoutMs: positiveInt.default(600_000),
    /** Extra sources the app may connect to (CSP `connect-src`), e.g. a relay elsewhere. @default [] */
    cspConnectSrc: z.array(cspHostSource).default([]),
  })
  .transform((config, ctx) => {
    const hosts = new Set(config.upstreams.map((u) => u.host));
    for (const host of config.allowPrivate) {
      if (!hosts.has(host)) {
        ctx.addIssue({ code: 'custom', message: `--allow-private ${host} names no upstream` });
      }
    }
    const upstreams = new Map<string, Upstream>(
      config.upstreams.map((u) => [
        u.host,
        { ...u, allowPrivate: config.allowPrivate.includes(u.host) },
      ]),
    );
    return { ...config, upstreams };
  });

/** What callers pass: the schema's input (lists of strings, optional limits). */
export type RelayConfig = z.input<typeof relayConfigSchema>;
/** What the relay uses: checked, defaults filled, upstreams keyed by `host[:port]`. */
export type ResolvedRelayConfig = z.output<typeof relayConfigSchema>;

/** Checks `config`; throws an Error listing every problem in plain sentences. */
export function resolveRelayConfig(config: RelayConfig): ResolvedRelayConfig {
  const result = relayConfigSchema.safeParse(config);
  if (!result.success) {
    const problems = result.error.issues.map((i) =>
      i.code === 'custom' || i.path.length === 0 ? i.message : `${i.path.join('.')}: ${i.message}`,
    );
    throw new Error(`Invalid relay configuration: ${problems.join('; ')}`);
  }
  return result.data;
}

interface FlagSpec {
  flag: string;
  env: string;
  /** Lists take the flag several times, or a comma-separated environment variable. */
  list: boolean;
  help: string;
}

/** Every flag with its environment variable; the single source for `--help` and the docs. */
export const RELAY_FLAGS = {
  upstreams: {
    flag: 'upstream',
    env: 'RELAY_UPSTREAMS',
    list: true,
    help: 'GitLab origin to forward to (required), e.g. https://gitlab.example.com',
  },
  allowPrivate: {
    flag: 'allow-private',
    env: 'RELAY_ALLOW_PRIVATE',
    list: true,
    help: 'host[:port] of an upstream allowed to resolve to a private/loopback address',
  },
  origins: {
    flag: 'origin',
    env: 'RELAY_ORIGINS',
    list: true,
    help: 'browser origin allowed to call the relay, e.g. https://runner.example',
  },
  publicUrls: {
    flag: 'public-url',
    env: 'RELAY_PUBLIC_URLS',
    list: true,
    help: 'URL browsers reach the relay by, if not its listen address, e.g. https://runner.example',
  },
  cspConnectSrc: {
    flag: 'connect-src',
    env: 'RELAY_CSP_CONNECT_SRC',
    list: true,
    help: "extra origin for the app's CSP connect-src",
  },
  maxRequestBytes: {
    flag: 'max-request-bytes',
    env: 'RELAY_MAX_REQUEST_BYTES',
    list: false,
    help: 'largest request body in bytes (default 536870912)',
  },
  upstreamTimeoutMs: {
    flag: 'upstream-timeout-ms',
    env: 'RELAY_UPSTREAM_TIMEOUT_MS',
    list: false,
    help: 'longest upstream silence in ms (default 180000)',
  },
  headersTimeoutMs: {
    flag: 'headers-timeout-ms',
    env: 'RELAY_HEADERS_TIMEOUT_MS',
    list: false,
    help: 'time to receive request headers in ms (default 20000)',
  },
  requestTimeoutMs: {
    flag: 'request-timeout-ms',
    env: 'RELAY_REQUEST_TIMEOUT_MS',
    list: false,
    help: 'time to receive a whole request in ms (default 600000)',
  },
  port: {
    flag: 'port',
    env: 'RELAY_PORT',
    list: false,
    help: 'port to listen on (default 8787; 0 picks one)',
  },
  host: {
    flag: 'host',
    env: 'RELAY_HOST',
    list: false,
    help: 'interface to bind (default 127.0.0.1)',
  },
  appDir: {
    flag: 'app-dir',
    env: 'RELAY_APP_DIR',
    list: false,
    help: 'folder of the built app to serve (e.g. dist); none by default',
  },
  tlsCert: {
    flag: 'tls-cert',
    env: 'RELAY_TLS_CERT',
    list: false,
    help: 'PEM certificate file: serve HTTPS (with --tls-key)',
  },
  tlsKey: {
    flag: 'tls-key',
    env: 'RELAY_TLS_KEY',
    list: false,
    help: 'PEM private key file of --tls-cert, unencrypted',
  },
} as const satisfies Record<string, FlagSpec>;

type FlagKey = keyof typeof RELAY_FLAGS;

/** The relay's configuration plus where the Node server listens and what it serves. */
export interface RelayServerOptions extends RelayConfig {
  /** @default 8787 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Folder of the built app; without it only `/gitlab/…` and `/healthz` are served. */
  appDir?: string;
}

/** What the relay's CLI reads: the server's options, and the TLS files it reads before starting. */
export interface RelayCliOptions extends RelayServerOptions {
  /** `--tls-cert` and `--tls-key`, both or neither; the relay then serves HTTPS. */
  tlsFiles?: RelayTlsFiles;
}

/** Reads flags (`argv` without node and script) and environment variables. */
export function loadRelayOptions(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): RelayCliOptions {
  const specs = Object.values(RELAY_FLAGS) as FlagSpec[];
  const { values } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(
      specs.map((s) => [s.flag, { type: 'string' as const, multiple: s.list }]),
    ),
    strict: true,
  });
  const read = (key: FlagKey): string[] | undefined => {
    const spec: FlagSpec = RELAY_FLAGS[key];
    const fromFlag = values[spec.flag];
    if (fromFlag !== undefined) return Array.isArray(fromFlag) ? fromFlag : [String(fromFlag)];
    const fromEnv = env[spec.env];
    if (fromEnv === undefined || fromEnv.trim() === '') return undefined;
    return spec.list
      ? fromEnv
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [fromEnv.trim()];
  };
  const one = (key: FlagKey) => read(key)?.[0];
  const num = (key: FlagKey) => {
    const text = one(key);
    return text === undefined ? undefined : Number(text);
  };
  const tlsCert = one('tlsCert');
  const tlsKey = one('tlsKey');
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    throw new RelayTlsError(
      'pair',
      '--tls-cert and --tls-key go together (RELAY_TLS_CERT, RELAY_TLS_KEY): name both files, or neither.',
    );
  }
  return {
    upstreams: read('upstreams') ?? [],
    allowPrivate: read('allowPrivate'),
    origins: read('origins'),
    publicUrls: read('publicUrls'),
    cspConnectSrc: read('cspConnectSrc'),
    maxRequestBytes: num('maxRequestBytes'),
    upstreamTimeoutMs: num('upstreamTimeoutMs'),
    headersTimeoutMs: num('headersTimeoutMs'),
    requestTimeoutMs: num('requestTimeoutMs'),
    port: num('port') ?? 8787,
    host: one('host') ?? '127.0.0.1',
    appDir: one('appDir'),
    ...(tlsCert !== undefined && tlsKey !== undefined
      ? { tlsFiles: { cert: tlsCert, key: tlsKey } }
      : {}),
  };
}

/**
 * The relay's settings out of the Node server's options. What is left out belongs to the
 * server the relay runs in: under Vite, Vite's own port, host, files, TLS and time limits apply.
 */
function relaySettings({
  port: _port,
  host: _host,
  appDir: _appDir,
  tlsFiles: _tlsFiles,
  headersTimeoutMs: _headersTimeoutMs,
  requestTimeoutMs: _requestTimeoutMs,
  ...config
}: RelayCliOptions): RelayConfig {
  return config;
}

/**
 * The relay configuration from environment variables alone, or undefined when no upstream is
 * named (`RELAY_UPSTREAMS`); what vite.config.ts uses to mount the relay in development.
 */
export function relayConfigFromEnv(
  env: Record<string, string | undefined>,
): RelayConfig | undefined {
  if (!env[RELAY_FLAGS.upstreams.env]) return undefined;
  return relaySettings(loadRelayOptions([], env));
}
