/**
 * @module Mounts the relay in Vite's dev (and preview) server at the same paths as in
 * production (`/gitlab/…`, `/healthz`), so the app talks to its relay same-origin in both.
 * Vite keeps serving the app itself; only relay paths reach the handler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Connect, Plugin } from 'vite';
import { stdoutAccessLog, type AccessLogSink } from './access-log.ts';
import { resolveRelayConfig, type RelayConfig } from './config.ts';
import { buildRelay } from './handler.ts';
import { listenHostsOf } from './host-check.ts';
import { refuseRawTarget } from './raw-target.ts';
import { RELAY_PREFIX } from './relay-path.ts';

export interface RelayPluginOptions {
  /** The relay configuration; when absent the plugin does nothing (no upstream to talk to). */
  config?: RelayConfig;
  /** Where access log entries go. @default JSON lines on stdout */
  log?: AccessLogSink;
}

/** What the middleware needs of Vite's dev or preview server. */
interface ViteServer {
  middlewares: Connect.Server;
  httpServer: { address(): AddressInfo | string | null } | null;
}

function isRelayTarget(target: string): boolean {
  const path = target.split('?', 1)[0] ?? '';
  return path === '/healthz' || path === RELAY_PREFIX || path.startsWith(`${RELAY_PREFIX}/`);
}

function middleware(
  server: ViteServer,
  configuredHost: string | boolean | undefined,
  config: RelayConfig,
  log: AccessLogSink,
): Connect.NextHandleFunction {
  // Built now, so a bad configuration stops Vite at startup, not at the first request. The
  // port is known once Vite listens, so the listen names are asked for at each request.
  const handler = buildRelay(resolveRelayConfig(config), {
    log,
    listenHosts: () => listenHostsOf(configuredHost, server.httpServer?.address()),
  });
  const listener = getRequestListener(handler, { overrideGlobalObjects: false });
  return (req: IncomingMessage, res: ServerResponse, next: Connect.NextFunction) => {
    const target = req.url ?? '';
    // Vite's own paths are Vite's business; absolute-form targets and relay paths are ours.
    if (target.startsWith('/') && !isRelayTarget(target)) {
      next();
      return;
    }
    if (!refuseRawTarget(req, res, log)) void listener(req, res);
  };
}

/**
 * The Vite plugin. Time limits stay with Vite's own server in development; `startRelay`
 * (node.ts) enforces them in production. Vite checks `Host` against its own `allowedHosts`
 * first; the relay then answers only to the names Vite listens on and `publicUrls`.
 */
export function relayPlugin(options: RelayPluginOptions = {}): Plugin {
  const { config, log = stdoutAccessLog } = options;
  return {
    name: 'tabrunner-relay',
    configureServer(server) {
      if (config) {
        server.middlewares.use(middleware(server, server.config.server.host, config, log));
      }
    },
    configurePreviewServer(server) {
      if (config) {
        server.middlewares.use(middleware(server, server.config.preview.host, config, log));
      }
    },
  };
}
