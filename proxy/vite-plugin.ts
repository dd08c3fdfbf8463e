/**
 * @module Mounts the relay in Vite's dev (and preview) server at the same paths as in
 * production (`/gitlab/…`, `/healthz`), so the app talks to its relay same-origin in both.
 * Vite keeps serving the app itself; only relay paths reach the handler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { Connect, Plugin } from 'vite';
import type { AccessLogSink } from './access-log.ts';
import type { RelayConfig } from './config.ts';
import { createRelay } from './handler.ts';
import { checkRawTarget } from './raw-target.ts';
import { RELAY_PREFIX } from './relay-path.ts';

export interface RelayPluginOptions {
  /** The relay configuration; when absent the plugin does nothing (no upstream to talk to). */
  config?: RelayConfig;
  /** Where access log entries go. @default JSON lines on stdout */
  log?: AccessLogSink;
}

function isRelayTarget(target: string): boolean {
  const path = target.split('?', 1)[0] ?? '';
  return path === '/healthz' || path === RELAY_PREFIX || path.startsWith(`${RELAY_PREFIX}/`);
}

function middleware(
  config: RelayConfig,
  log: AccessLogSink | undefined,
): Connect.NextHandleFunction {
  const listener = getRequestListener(createRelay(config, { log }), {
    overrideGlobalObjects: false,
  });
  return (req: IncomingMessage, res: ServerResponse, next: Connect.NextFunction) => {
    const target = req.url ?? '';
    // Vite's own paths are Vite's business; absolute-form targets and relay paths are ours.
    if (target.startsWith('/') && !isRelayTarget(target)) {
      next();
      return;
    }
    const refusal = checkRawTarget(target);
    if (refusal) {
      res.statusCode = refusal.status;
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('Cache-Control', 'no-store');
      res.end(JSON.stringify({ error: refusal.reason, message: refusal.message }));
      return;
    }
    void listener(req, res);
  };
}

/**
 * The Vite plugin. Time limits stay with Vite's own server in development; `startRelay`
 * (node.ts) enforces them in production.
 */
export function relayPlugin(options: RelayPluginOptions = {}): Plugin {
  const { config, log } = options;
  return {
    name: 'tabrunner-relay',
    configureServer(server) {
      if (config) server.middlewares.use(middleware(config, log));
    },
    configurePreviewServer(server) {
      if (config) server.middlewares.use(middleware(config, log));
    },
  };
}
