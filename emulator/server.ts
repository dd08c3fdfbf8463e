/**
 * The emulator's HTTP server: one node:http listener that routes `/api/v4/…` to the runner API,
 * `/admin/api/…` to the admin API, `/<group>/<project>.git/…` to git hosting and `/` and
 * `/-/…` to the page. It owns what wraps every answer: CORS, `X-Request-Id`, fault injection
 * and the request log. Handlers never write to the socket themselves (git and page do, being
 * streams).
 */
import { randomBytes } from 'node:crypto';
import { finished } from 'node:stream/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ADMIN_ROUTES, type AdminEnv } from './admin/index.ts';
import { API_ROUTES } from './api/index.ts';
import { handleGit, handlePage } from './collaborators.ts';
import type { EmulatorContext } from './context.ts';
import { corsHeaders, type PathKind } from './cors.ts';
import type { Fault, Faults } from './faults.ts';
import { message, type Reply } from './http/reply.ts';
import { BodyTooLargeError, EmulatorRequest } from './http/request.ts';
import type { RequestLog } from './http/request-log.ts';
import { matchRoute, pathKnown, type Route } from './http/router.ts';

/** What the server needs from `startEmulator`. */
export interface ServerDeps {
  ctx: EmulatorContext;
  faults: Faults;
  requests: RequestLog;
}

/** A node:http server serving the emulator (not yet listening). */
export function createEmulatorServer(deps: ServerDeps): Server {
  return createServer((req, res) => {
    serve(deps, req, res).catch((error: unknown) => {
      console.error('emulator: request failed', error);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: '500 Internal Server Error' }));
    });
  });
}

function pathKindOf(path: string): PathKind {
  if (path.startsWith('/api/')) return 'api';
  if (path.startsWith('/admin/api/')) return 'admin';
  if (/^\/[^?]+\.git(\/|$)/.test(path)) return 'git';
  return 'other';
}

async function serve(deps: ServerDeps, raw: IncomingMessage, res: ServerResponse): Promise<void> {
  const { ctx } = deps;
  const url = new URL(raw.url ?? '/', 'http://emulator.invalid');
  const aborter = new AbortController();
  res.on('close', () => aborter.abort());
  const req = new EmulatorRequest(raw, url, aborter.signal);
  const kind = pathKindOf(req.path);
  const cors = (fromWorkhorse = false) =>
    corsHeaders({
      mode: ctx.options.corsMode,
      kind,
      origin: req.header('origin'),
      requestHeaders: req.header('access-control-request-headers'),
      fromWorkhorse,
    });
  const log = (status: number, fault?: Fault) =>
    deps.requests.add({
      method: req.method,
      path: req.path,
      status,
      at: ctx.clock.now(),
      ...(fault ? { fault: fault.kind } : {}),
    });
  const send = (reply: Reply) => {
    writeReply(res, reply, cors(reply.fromWorkhorse === true));
    log(reply.status);
  };

  // Rails refuses a path that is no valid percent-encoding before any route sees it.
  if (!validPercentEncoding(req.path)) return send(message(400, 'Bad Request'));

  if (req.method === 'OPTIONS' && req.header('access-control-request-method')) {
    const headers = cors();
    if (headers) {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/plain', 'Content-Length': '0' });
      res.end();
      log(200);
      return;
    }
  }

  if (kind === 'api') return serveRoutes(deps, API_ROUTES, { ctx }, req, res, send, log);
  if (kind === 'admin') {
    if (req.header('private-token') !== ctx.options.adminToken) {
      return send(message(401, 'Unauthorized'));
    }
    const env: AdminEnv = { ctx, faults: deps.faults, requests: deps.requests };
    return serveRoutes(deps, ADMIN_ROUTES, env, req, res, send, log);
  }
  // Git and the page write their own streamed answers; log them when they finish.
  res.on('finish', () => log(res.statusCode));
  if (kind === 'git') {
    for (const [name, value] of Object.entries(cors() ?? {})) res.setHeader(name, value);
    if (await handleGit(ctx, raw, res, deps.faults)) return;
  } else if (await handlePage(ctx, raw, res)) {
    return;
  }
  writeReply(res, message(404, 'Not Found'), cors());
}

function validPercentEncoding(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

async function serveRoutes<Env>(
  deps: ServerDeps,
  routes: readonly Route<Env>[],
  env: Env,
  req: EmulatorRequest,
  res: ServerResponse,
  send: (reply: Reply) => void,
  log: (status: number, fault?: Fault) => void,
): Promise<void> {
  const match = matchRoute(routes, req.method, req.path);
  if (!match) {
    return send(
      pathKnown(routes, req.path) ? message(405, 'Method Not Allowed') : message(404, 'Not Found'),
    );
  }
  req.params = match.params;
  const jobId = match.params['id'] === undefined ? undefined : Number(match.params['id']);
  const fault = match.route.endpoint ? deps.faults.take(match.route.endpoint, jobId) : undefined;

  if (fault?.kind === 'drop') {
    req.raw.socket.destroy();
    return log(0, fault);
  }
  if (fault?.kind === 'slow') {
    await deps.ctx.clock.sleep(fault.delayMs, req.signal).catch(() => undefined);
    if (req.signal.aborted) return log(0, fault);
  }
  if (fault?.kind === 'status' || fault?.kind === 'spurious-416') {
    await drain(req);
    const reply = fault.kind === 'status' ? statusFault(fault) : spurious416(deps, jobId);
    writeReply(res, reply, null);
    return log(reply.status, fault);
  }

  let reply: Reply;
  try {
    reply = await match.route.handle(env, req);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    reply = message(413, 'Request Entity Too Large');
  }
  if (fault?.kind === 'lost-response') {
    req.raw.socket.destroy();
    return log(0, fault);
  }
  if (req.signal.aborted) return log(0);
  send(reply);
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

/** Read and discard the body, so the client sees our answer rather than a reset. */
async function drain(req: EmulatorRequest): Promise<void> {
  req.raw.resume();
  await finished(req.raw).catch(() => undefined);
}

function writeReply(res: ServerResponse, reply: Reply, cors: Record<string, string> | null): void {
  if (res.headersSent || res.destroyed) return;
  const body = reply.body ?? '';
  res.writeHead(reply.status, {
    ...(cors ?? {}),
    'X-Request-Id': randomBytes(13).toString('hex').slice(0, 26).toUpperCase(),
    ...reply.headers,
    'Content-Length': String(typeof body === 'string' ? Buffer.byteLength(body) : body.length),
  });
  res.end(body);
}
