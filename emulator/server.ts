/**
 * The emulator's HTTP server: a Hono app, served on node:http by @hono/node-server as the relay
 * is, that routes `/api/v4/…` to the runner API, `/admin/api/…` to the admin API,
 * `/<group>/<project>.git/…` to git hosting and every other path, any method, to the page. It
 * owns what wraps every answer: CORS, `X-Request-Id`, fault injection and the request log.
 * Handlers return replies; git and the page, being streams, write to the Node response
 * themselves, so nothing here reads a body before they do.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { finished } from 'node:stream/promises';
import { getRequestListener, type HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono, type Context } from 'hono';
import { ADMIN_ROUTES, type AdminEnv } from './admin/index.ts';
import { API_ROUTES, type ApiEnv } from './api/index.ts';
import { handleGit, handlePage } from './collaborators.ts';
import type { EmulatorContext } from './context.ts';
import { corsHeaders, type PathKind } from './cors.ts';
import type { Fault, Faults } from './faults.ts';
import { message, toResponse, type Reply } from './http/reply.ts';
import { BodyTooLargeError, EmulatorRequest } from './http/request.ts';
import type { RequestLog } from './http/request-log.ts';
import { mountRoutes, type Route } from './http/router.ts';
import { sameSecret } from './http/same-secret.ts';

/** What the server needs from `startEmulator`. */
export interface ServerDeps {
  ctx: EmulatorContext;
  faults: Faults;
  requests: RequestLog;
}

/** The raw Node request and response are `c.env.incoming` / `c.env.outgoing`. */
interface Http {
  Bindings: HttpBindings;
}
type Exchange = Context<Http>;

/** A node:http server serving the emulator (not yet listening). */
export function createEmulatorServer(deps: ServerDeps): Server {
  const app = emulatorApp(deps);
  const listener = getRequestListener((request, env) => app.fetch(request, env), {
    overrideGlobalObjects: false,
    // A body nobody read is left to node:http to discard, however slowly it arrives; the
    // adapter's own clean-up would cut the connection of a slow upload after half a second.
    autoCleanupIncoming: false,
    // An HTTP/1.0 client may send no `Host`.
    hostname: 'emulator.invalid',
  });
  return createServer((req, res) => void listener(req, res));
}

function emulatorApp(deps: ServerDeps): Hono<Http> {
  const { ctx } = deps;
  // Routes see the path as sent. Hono's default decodes it first, which would let
  // `/api/v4/job%73/request` reach a route that Rails never matches.
  const app = new Hono<Http>({ getPath: (request) => new URL(request.url).pathname });

  app.onError((error, c) => {
    console.error('emulator: request failed', error);
    const { outgoing } = c.env;
    if (!outgoing.headersSent) return send(deps, c, message(500, 'Internal Server Error'));
    // A stream cut short must not look complete to the client.
    outgoing.destroy();
    return RESPONSE_ALREADY_SENT;
  });

  app.use(async (c, next) => {
    // Rails refuses a path that is no valid percent-encoding before any route sees it.
    if (!validPercentEncoding(c.req.path)) return send(deps, c, message(400, 'Bad Request'));
    if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method')) {
      const headers = corsFor(deps, c);
      if (headers) {
        log(deps, c, 200);
        return new Response(null, {
          status: 200,
          headers: { ...headers, 'Content-Type': 'text/plain', 'Content-Length': '0' },
        });
      }
    }
    const adminToken = c.req.header('private-token');
    if (pathKindOf(c.req.path) === 'admin' && !sameSecret(adminToken, ctx.options.adminToken)) {
      return send(deps, c, message(401, 'Unauthorized'));
    }
    return next();
  });

  const methodNotAllowed = (c: Exchange) => send(deps, c, message(405, 'Method Not Allowed'));
  const apiEnv: ApiEnv = { ctx };
  mountRoutes(app, API_ROUTES, {
    serve: (c, route) => serveRoute(deps, c, route, apiEnv),
    methodNotAllowed,
  });
  const adminEnv: AdminEnv = { ctx, faults: deps.faults, requests: deps.requests };
  mountRoutes(app, ADMIN_ROUTES, {
    serve: (c, route) => serveRoute(deps, c, route, adminEnv),
    methodNotAllowed,
  });
  app.all('*', (c) => serveStream(deps, c));
  return app;
}

function pathKindOf(path: string): PathKind {
  if (path.startsWith('/api/')) return 'api';
  if (path.startsWith('/admin/api/')) return 'admin';
  if (/^\/[^?]+\.git(\/|$)/.test(path)) return 'git';
  return 'other';
}

function validPercentEncoding(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

/** One route-table row, with the fault armed for its endpoint applied around the handler. */
async function serveRoute<Env>(
  deps: ServerDeps,
  c: Exchange,
  route: Route<Env>,
  env: Env,
): Promise<Response> {
  const req = new EmulatorRequest(c.req.raw, c.req.param());
  const id = req.params['id'];
  const jobId = id === undefined ? undefined : Number(id);
  const fault = route.endpoint ? deps.faults.take(route.endpoint, jobId) : undefined;

  if (fault?.kind === 'drop') return cut(deps, c, fault);
  if (fault?.kind === 'slow') {
    await deps.ctx.clock.sleep(fault.delayMs, req.signal).catch(() => undefined);
    if (req.signal.aborted) return gone(deps, c, fault);
  }
  if (fault?.kind === 'status' || fault?.kind === 'spurious-416') {
    // Read and discard the body, so the client sees our answer rather than a reset.
    const { incoming } = c.env;
    incoming.resume();
    await finished(incoming).catch(() => undefined);
    const reply = fault.kind === 'status' ? statusFault(fault) : spurious416(deps, jobId);
    log(deps, c, reply.status, fault);
    return toResponse(reply, { 'X-Request-Id': requestId() });
  }

  let reply: Reply;
  try {
    reply = await route.handle(env, req);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    reply = message(413, 'Request Entity Too Large');
  }
  if (fault?.kind === 'lost-response') return cut(deps, c, fault);
  if (req.signal.aborted) return gone(deps, c);
  return send(deps, c, reply);
}

/** Git and the page write their own streamed answers; they are logged when they finish. */
async function serveStream(deps: ServerDeps, c: Exchange): Promise<Response> {
  const { incoming, outgoing } = c.env;
  const kind = pathKindOf(c.req.path);
  let handled = false;
  if (kind === 'git') {
    for (const [name, value] of Object.entries(corsFor(deps, c) ?? {})) {
      outgoing.setHeader(name, value);
    }
    handled = await handleGit(deps.ctx, incoming, outgoing, deps.faults);
  } else if (kind === 'other') {
    handled = await handlePage(deps.ctx, incoming, outgoing);
  }
  if (!handled) return send(deps, c, message(404, 'Not Found'));
  if (outgoing.writableFinished) log(deps, c, outgoing.statusCode);
  else outgoing.once('finish', () => log(deps, c, outgoing.statusCode));
  return RESPONSE_ALREADY_SENT;
}

function statusFault(fault: Fault): Reply {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  const retryAfter = fault.retryAfter ?? (fault.status === 429 ? 1 : null);
  if (retryAfter !== null) headers['Retry-After'] = String(retryAfter);
  return {
    status: fault.status,
    headers,
    body: JSON.stringify({ message: `${fault.status} Injected fault` }),
  };
}

/** A 416 that applies nothing but names the true stored length, as a confused proxy might. */
function spurious416(deps: ServerDeps, jobId: number | undefined): Reply {
  const job = jobId === undefined ? undefined : deps.ctx.state.jobs.get(jobId);
  return {
    status: 416,
    headers: job ? { Range: `0-${job.trace.length}`, 'Job-Status': job.status } : {},
    body: null,
  };
}

/** The connection closes with no answer, as when a network drops it mid-request. */
function cut(deps: ServerDeps, c: Exchange, fault: Fault): Response {
  c.env.incoming.socket.destroy();
  return gone(deps, c, fault);
}

/** Logged as status 0: the client got no answer. */
function gone(deps: ServerDeps, c: Exchange, fault?: Fault): Response {
  log(deps, c, 0, fault);
  return RESPONSE_ALREADY_SENT;
}

function send(deps: ServerDeps, c: Exchange, reply: Reply): Response {
  log(deps, c, reply.status);
  const cors = corsFor(deps, c, reply.fromWorkhorse === true) ?? {};
  return toResponse(reply, { ...cors, 'X-Request-Id': requestId() });
}

function corsFor(
  deps: ServerDeps,
  c: Exchange,
  fromWorkhorse = false,
): Record<string, string> | null {
  return corsHeaders({
    mode: deps.ctx.options.corsMode,
    kind: pathKindOf(c.req.path),
    origin: c.req.header('origin'),
    requestHeaders: c.req.header('access-control-request-headers'),
    fromWorkhorse,
  });
}

function log(deps: ServerDeps, c: Exchange, status: number, fault?: Fault): void {
  deps.requests.add({
    method: c.req.method,
    path: c.req.path,
    status,
    at: deps.ctx.clock.now(),
    ...(fault ? { fault: fault.kind } : {}),
  });
}

/** Rails' request id: 26 upper-case hex characters. */
function requestId(): string {
  return randomBytes(13).toString('hex').toUpperCase();
}
