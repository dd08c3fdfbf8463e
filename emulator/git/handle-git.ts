/**
 * Git smart HTTP for hosted projects: `/<full path>.git/info/refs`, `git-upload-pack` and
 * `git-receive-pack`, served by spawning the real `git http-backend` as a CGI
 * (git-http-backend(1)). Request and response bodies stream both ways; gzip request bodies are inflated by
 * http-backend itself (`HTTP_CONTENT_ENCODING`); the `Git-Protocol` header enables protocol v2.
 * Auth follows GitLab (`git-auth.ts`). Never logs or echoes credentials.
 *
 * A push makes pipelines as on GitLab (`push-pipeline.ts`): the refs it updated are learnt from
 * the emulator's `post-receive` hook (`push-record.ts`), and the pipelines are created before
 * the answer ends, so a pusher that sees `git push` return can already find them. Creating them
 * never fails the push: the refs are already updated, as on GitLab, whose pipelines come later
 * from a background worker.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { EmulatorContext } from '../context.ts';
import type { Project } from '../model.ts';
import { authorizeGit } from './git-auth.ts';
import { createPushPipelines } from './push-pipeline.ts';
import { parsePushRecord, PUSH_RECORD_ENV, pushRecordConfig } from './push-record.ts';
import { ISOLATED_GIT_ENV } from './run-git.ts';
import { uploadPackConfig } from './upload-pack-policy.ts';

const GIT_PATH = /^\/(.+)\.git\/(info\/refs|git-upload-pack|git-receive-pack)$/;

/** The subset of part A's `Faults` the git route uses. */
export interface GitFaults {
  take(endpoint: 'git'): unknown;
}

interface GitFault {
  kind: string;
  status?: number;
  retryAfter?: number | null;
  delayMs?: number;
}

/** Serve a git smart-HTTP request; false when the path is not a git path. */
export async function handleGit(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  faults: GitFaults,
): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://emulator.invalid');
  const match = GIT_PATH.exec(url.pathname);
  if (!match?.[1] || !match[2]) return false;
  const [, fullPath, action] = match;
  const service = action === 'info/refs' ? url.searchParams.get('service') : action;
  if (service !== 'git-upload-pack' && service !== 'git-receive-pack') {
    // GitLab speaks only the smart protocol.
    reply(res, 403, 'Dumb HTTP git access is not supported.');
    return true;
  }

  const fault = asFault(faults.take('git'));
  if (fault?.kind === 'drop') {
    req.socket.destroy();
    return true;
  }
  if (fault?.kind === 'status') {
    const headers: Record<string, string> = {};
    if (fault.retryAfter != null) headers['Retry-After'] = String(fault.retryAfter);
    reply(res, fault.status ?? 500, 'Injected fault', headers);
    return true;
  }
  if (fault?.kind === 'slow') await ctx.clock.sleep(fault.delayMs ?? 1000);

  const project = ctx.state.projectByPath(fullPath) ?? null;
  const auth = authorizeGit(ctx, req, project, service === 'git-receive-pack');
  if (auth.kind === 'denied') {
    const headers: Record<string, string> =
      auth.status === 401 ? { 'WWW-Authenticate': 'Basic realm="GitLab"' } : {};
    reply(res, auth.status, auth.message, headers);
    return true;
  }
  // authorizeGit never allows a missing project; the check only narrows the type.
  if (!project) return true;

  const lose = fault?.kind === 'lost-response';
  const query = url.search.slice(1);
  if (service !== 'git-receive-pack' || !auth.canPush) {
    await runBackend(ctx, req, res, project, action, query, auth, lose, { config: [], file: null });
    return true;
  }
  // The advertisement (`info/refs`) must offer push options too, or clients never send them.
  const config = await pushRecordConfig(ctx);
  if (action !== 'git-receive-pack') {
    await runBackend(ctx, req, res, project, action, query, auth, lose, { config, file: null });
    return true;
  }
  const scratch = await mkdtemp(join(ctx.options.dataDir, 'push-'));
  try {
    const push = { config, file: join(scratch, 'record') };
    await runBackend(ctx, req, res, project, action, query, auth, lose, push);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return true;
}

/** Create the pipelines of the push recorded in `file` (none when the push updated nothing). */
async function createPipelinesOfPush(
  ctx: EmulatorContext,
  project: Project,
  file: string,
): Promise<void> {
  const text = await readFile(file, 'utf8').catch(() => '');
  await createPushPipelines(ctx, project, parsePushRecord(text));
}

function asFault(value: unknown): GitFault | null {
  if (typeof value !== 'object' || value === null) return null;
  const kind = (value as { kind?: unknown }).kind;
  return typeof kind === 'string' ? (value as GitFault) : null;
}

function reply(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  res.end(message);
}

/** Run `git http-backend` for one request and relay its CGI answer. */
function runBackend(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  project: Project,
  action: string,
  query: string,
  auth: { remoteUser: string; canPush: boolean },
  loseResponse: boolean,
  push: { config: [string, string][]; file: string | null },
): Promise<void> {
  const config = [...uploadPackConfig(project, auth.canPush), ...push.config];
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...ISOLATED_GIT_ENV,
    GIT_PROJECT_ROOT: join(ctx.options.dataDir, 'repositories'),
    GIT_HTTP_EXPORT_ALL: '1',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: `/${project.fullPath}.git/${action}`,
    QUERY_STRING: query,
    REMOTE_USER: auth.remoteUser,
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    GIT_CONFIG_COUNT: String(config.length),
  };
  if (push.file) env[PUSH_RECORD_ENV] = push.file;
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  const contentType = header('content-type');
  const contentLength = header('content-length');
  const contentEncoding = header('content-encoding');
  const gitProtocol = header('git-protocol');
  if (contentType) env.CONTENT_TYPE = contentType;
  if (contentLength) env.CONTENT_LENGTH = contentLength;
  if (contentEncoding) env.HTTP_CONTENT_ENCODING = contentEncoding;
  if (gitProtocol) env.GIT_PROTOCOL = gitProtocol;

  return new Promise((resolve) => {
    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    req.pipe(child.stdin);
    child.stdin.on('error', () => undefined); // the backend may exit before reading everything
    let head = Buffer.alloc(0);
    let headerDone = false;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      if (loseResponse) {
        req.socket.destroy();
      } else if (!headerDone) {
        if (!res.headersSent) reply(res, 500, 'git http-backend failed');
      } else {
        res.end();
      }
      resolve();
    };
    child.stdout.on('data', (chunk: Buffer) => {
      if (loseResponse) return;
      if (headerDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const split = findHeaderEnd(head);
      if (!split) return;
      headerDone = true;
      const { status, headers } = parseCgiHeaders(head.subarray(0, split.start).toString('latin1'));
      res.writeHead(status, headers);
      const rest = head.subarray(split.end);
      if (rest.length > 0) res.write(rest);
    });
    child.on('error', () => finish());
    child.on('close', () => {
      if (!push.file) return finish();
      void createPipelinesOfPush(ctx, project, push.file).finally(finish);
    });
    res.on('close', () => {
      if (child.exitCode === null) child.kill();
    });
  });
}

function findHeaderEnd(buffer: Buffer): { start: number; end: number } | null {
  const crlf = buffer.indexOf('\r\n\r\n');
  const lf = buffer.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf <= lf)) return { start: crlf, end: crlf + 4 };
  if (lf >= 0) return { start: lf, end: lf + 2 };
  return null;
}

function parseCgiHeaders(text: string): { status: number; headers: Record<string, string> } {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 200;
    else headers[name] = value;
  }
  return { status, headers };
}
