/**
 * @module The relay as one `Request → Response` function: `/gitlab/<host>/…` goes to a
 * configured GitLab under the policies of this folder, `/healthz` answers liveness, and
 * everything else is the built app (when an app folder is given). The Node server (node.ts)
 * and Vite's dev server (vite-plugin.ts) both run this same handler. Requests whose `Host`
 * the relay does not answer to are refused first (host-check.ts).
 */
import { Hono, type Context } from 'hono';
import { logged, stdoutAccessLog, type AccessLogSink, type RequestFacts } from './access-log.ts';
import { allowedMethods, classifyPath } from './allowed-paths.ts';
import { resolveRelayConfig, type RelayConfig, type ResolvedRelayConfig } from './config.ts';
import { corsResponseHeaders, decideOrigin, preflightResponse } from './cors.ts';
import { forward } from './forward.ts';
import { RELAYED_RESPONSE_HEADERS } from './headers.ts';
import { allowedHosts, checkHost, splitUrl } from './host-check.ts';
import { REDIRECT_STATUSES, rewriteLocation } from './redirect.ts';
import { RELAY_PREFIX, parseRelayPath } from './relay-path.ts';
import { RelayError } from './relay-error.ts';
import { mountStaticApp } from './static-app.ts';

export interface RelayOptions {
  /** Folder of the built app to serve at `/`; none by default. */
  appDir?: string;
  /** Where access log entries go. @default JSON lines on stdout */
  log?: AccessLogSink;
  /**
   * `host:port` names of the socket the relay listens on (host-check.ts `listenHostsOf`). With
   * `publicUrls` from the configuration, the only `Host` values answered. A function is asked
   * at each request, so an adapter can build the handler before it listens and learns its port
   * (port 0 picks one). @default []
   */
  listenHosts?: readonly string[] | (() => readonly string[]);
}

export type RelayHandler = (request: Request) => Promise<Response>;

function isRelayPath(pathname: string): boolean {
  return pathname === RELAY_PREFIX || pathname.startsWith(`${RELAY_PREFIX}/`);
}

/** Relays one request; throws RelayError for every refusal. */
async function relay(
  request: Request,
  url: URL,
  config: ResolvedRelayConfig,
  facts: RequestFacts,
  corsOrigin: string | null,
): Promise<Response> {
  const target = parseRelayPath(url.pathname, config.upstreams);
  facts.upstream = target.upstream.host;
  const contentType = request.headers.get('content-type');

  if (request.method === 'OPTIONS') {
    const asked = request.headers.get('access-control-request-method');
    const methods = allowedMethods(target.pathname);
    if (corsOrigin === null || asked === null) {
      throw new RelayError('method_not_allowed', 'OPTIONS is answered only as a CORS preflight.');
    }
    if (methods.length === 0) classifyPath(asked, target.pathname, url.search, contentType);
    if (!methods.includes(asked)) {
      throw new RelayError('method_not_allowed', `${asked} is not relayed for this path.`);
    }
    return preflightResponse(corsOrigin, methods);
  }

  classifyPath(request.method, target.pathname, url.search, contentType);
  const pathAndQuery = `${target.pathname}${url.search}`;
  const { response, location } = await forward({
    upstream: target.upstream,
    pathAndQuery,
    request,
    maxRequestBytes: config.maxRequestBytes,
    upstreamTimeoutMs: config.upstreamTimeoutMs,
  });
  if (REDIRECT_STATUSES.has(response.status) && location !== null) {
    try {
      const rewritten = rewriteLocation(
        location,
        target.upstream,
        pathAndQuery,
        config.upstreams,
        request.method,
        contentType,
      );
      response.headers.set('location', rewritten);
    } catch (err) {
      await response.body?.cancel();
      throw err;
    }
  } else {
    response.headers.delete('location');
  }
  return response;
}

async function handleRelay(
  c: Context,
  config: ResolvedRelayConfig,
  log: AccessLogSink,
): Promise<Response> {
  const request = c.req.raw;
  const url = new URL(request.url);
  const facts = factsOf(request, `${url.pathname}${url.search}`);
  const decision = decideOrigin(request, config.origins);
  const corsOrigin = decision.kind === 'allowed' ? decision.origin : null;
  let response: Response;
  try {
    if (decision.kind === 'refused') {
      throw new RelayError(
        'origin_not_allowed',
        'This origin may not use the relay; ask its operator to add it with --origin.',
      );
    }
    response = await relay(request, url, config, facts, corsOrigin);
  } catch (err) {
    const error =
      err instanceof RelayError
        ? err
        : new RelayError('upstream_unreachable', 'The relay failed to forward the request.', {
            cause: err,
          });
    facts.reason = error.reason;
    response = error.toResponse();
  }
  if (corsOrigin !== null && !response.headers.has('access-control-allow-origin')) {
    for (const [name, value] of Object.entries(corsResponseHeaders(corsOrigin))) {
      if (name === 'Vary') response.headers.append(name, value);
      else response.headers.set(name, value);
    }
  }
  return logged(sandboxed(response), facts, log);
}

/** `response` with the headers every answer under `/gitlab/` carries (headers.ts). */
function sandboxed(response: Response): Response {
  for (const [name, value] of Object.entries(RELAYED_RESPONSE_HEADERS)) {
    response.headers.set(name, value);
  }
  return response;
}

function factsOf(request: Request, target: string): RequestFacts {
  return {
    startedAt: Date.now(),
    method: request.method,
    target,
    origin: request.headers.get('origin'),
    upstream: null,
    reason: null,
  };
}

/**
 * The allowed `Host` set for the listen names `listenHosts` gives now, made again only when
 * those names change (once, when the server has bound its port).
 */
function hostsAllowed(
  listenHosts: RelayOptions['listenHosts'],
  publicUrls: readonly string[],
): () => ReadonlySet<string> {
  if (typeof listenHosts !== 'function') {
    const fixed = allowedHosts(listenHosts ?? [], publicUrls);
    return () => fixed;
  }
  let names: readonly string[] = [];
  let hosts = allowedHosts(names, publicUrls);
  return () => {
    const now = listenHosts();
    if (now.length !== names.length || now.some((name, i) => name !== names[i])) {
      names = [...now];
      hosts = allowedHosts(names, publicUrls);
    }
    return hosts;
  };
}

/**
 * Builds the relay for `config` (checked here; throws on invalid configuration).
 * The result is the whole server as one function, socket-free for tests.
 */
export function createRelay(config: RelayConfig, options: RelayOptions = {}): RelayHandler {
  return buildRelay(resolveRelayConfig(config), options);
}

/**
 * `createRelay` for a configuration already checked: the adapters check it once themselves,
 * before they bind, and read their own settings (time limits) from the result.
 */
export function buildRelay(
  resolved: ResolvedRelayConfig,
  options: RelayOptions = {},
): RelayHandler {
  const log = options.log ?? stdoutAccessLog;
  const hosts = hostsAllowed(options.listenHosts, resolved.publicUrls);
  const app = new Hono();

  // Before the Host check: load balancers probe by address, and liveness tells a rebound page
  // nothing.
  app.get('/healthz', (c) => c.json({ status: 'ok' }, 200, { 'Cache-Control': 'no-store' }));
  app.use('*', async (c, next) => {
    const { authority, target } = splitUrl(c.req.url);
    const refusal = checkHost(authority, hosts());
    if (refusal === null) return next();
    const facts = factsOf(c.req.raw, target);
    facts.reason = refusal.reason;
    return logged(sandboxed(refusal.toResponse()), facts, log);
  });
  app.all('*', async (c, next) => {
    if (!isRelayPath(new URL(c.req.url).pathname)) return next();
    return handleRelay(c, resolved, log);
  });
  if (options.appDir !== undefined) {
    mountStaticApp(app, options.appDir, resolved.cspConnectSrc);
  }
  app.notFound(() => new RelayError('not_found', 'Nothing is served at this path.').toResponse());
  return async (request) => app.fetch(request);
}
