/**
 * A minimal smart-HTTP git server for tests and benchmarks: `git http-backend` as a CGI behind
 * `node:http` (git-http-backend(1)), with optional Basic auth, per-server git config
 * (`uploadpack.hideRefs`, `uploadpack.allowAnySHA1InWant`, …) and CORS for browser tests.
 * It counts the bytes it sends so tests can assert how much a fetch transferred.
 * Until the emulator hosts git itself, this is what src/sources tests talk to.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitServerOptions {
  /** Directory holding bare repositories, served at `/<name>.git`. */
  root: string;
  /** Require Basic auth with exactly these credentials (401 otherwise). */
  auth?: { username: string; password: string };
  /** Extra git config for upload-pack, e.g. `{ 'uploadpack.hideRefs': 'refs/keep-around' }`. */
  config?: Record<string, string>;
  /** Answer CORS (any origin) and preflights, for browser tests. */
  cors?: boolean;
  /** Serve other paths (e.g. a test page) before git: return true when handled. */
  extra?: (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;
}

export interface GitRequestRecord {
  method: string;
  path: string;
  status: number;
  bytesSent: number;
}

export interface GitServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Every git request served, in order. */
  requests: GitRequestRecord[];
  /** Total response body bytes sent for git requests. */
  bytesSent(): number;
  close(): Promise<void>;
}

const CORS_HEADERS: Record<string, string> = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers':
    'authorization, content-type, git-protocol, accept, user-agent, x-authorization',
  'access-control-expose-headers': 'content-type, www-authenticate',
  'access-control-max-age': '86400',
};

/** Start the server on 127.0.0.1, port 0. */
export async function startGitServer(options: GitServerOptions): Promise<GitServer> {
  const requests: GitRequestRecord[] = [];
  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (options.cors) for (const [k, v] of Object.entries(CORS_HEADERS)) res.setHeader(k, v);
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    if (options.extra && (await options.extra(req, res))) return;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const record: GitRequestRecord = {
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      status: 0,
      bytesSent: 0,
    };
    requests.push(record);
    let remoteUser = '';
    if (options.auth) {
      const header = req.headers.authorization ?? '';
      const expected =
        'Basic ' +
        Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64');
      if (header !== expected) {
        record.status = 401;
        res.writeHead(401, {
          'www-authenticate': 'Basic realm="git"',
          'content-type': 'text/plain',
        });
        res.end('HTTP Basic: Access denied\n');
        return;
      }
      remoteUser = options.auth.username;
    }
    const config = Object.entries(options.config ?? {});
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: options.root,
      GIT_HTTP_EXPORT_ALL: '1',
      REQUEST_METHOD: req.method,
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_USER: remoteUser,
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      GIT_CONFIG_NOSYSTEM: '1',
      HOME: options.root,
      GIT_CONFIG_COUNT: String(config.length),
    };
    config.forEach(([key, value], i) => {
      env[`GIT_CONFIG_KEY_${i}`] = key;
      env[`GIT_CONFIG_VALUE_${i}`] = value;
    });
    if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
    if (req.headers['content-encoding']) {
      env.HTTP_CONTENT_ENCODING = String(req.headers['content-encoding']);
    }
    if (req.headers['git-protocol']) env.GIT_PROTOCOL = String(req.headers['git-protocol']);

    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    req.pipe(child.stdin);
    child.stderr.resume();
    let head = Buffer.alloc(0);
    let headerDone = false;
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.stdout.on('data', (chunk: Buffer) => {
        if (headerDone) {
          record.bytesSent += chunk.length;
          res.write(chunk);
          return;
        }
        head = Buffer.concat([head, chunk]);
        let end = head.indexOf('\r\n\r\n');
        let sepLen = 4;
        if (end < 0) {
          end = head.indexOf('\n\n');
          sepLen = 2;
        }
        if (end < 0) return;
        headerDone = true;
        let status = 200;
        const headers: Record<string, string> = {};
        for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
          const colon = line.indexOf(':');
          if (colon < 0) continue;
          const name = line.slice(0, colon).trim().toLowerCase();
          const value = line.slice(colon + 1).trim();
          if (name === 'status') status = Number.parseInt(value, 10);
          else headers[name] = value;
        }
        record.status = status;
        res.writeHead(status, headers);
        const body = head.subarray(end + sepLen);
        record.bytesSent += body.length;
        if (body.length) res.write(body);
      });
      child.stdout.on('end', () => {
        if (!headerDone) {
          record.status = 502;
          res.writeHead(502);
        }
        res.end();
        resolve();
      });
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    bytesSent: () => requests.reduce((sum, r) => sum + r.bytesSent, 0),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Run git synchronously with a fixed identity and no user/system config; returns stdout. */
export function git(cwd: string, args: string[], input?: string): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    ...(input !== undefined ? { input } : {}),
    maxBuffer: 256 * 1024 * 1024,
    env: {
      PATH: process.env.PATH,
      HOME: cwd,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
      GIT_AUTHOR_DATE: '2025-01-01T00:00:00Z',
      GIT_COMMITTER_DATE: '2025-01-01T00:00:00Z',
    },
  }).trim();
}
