/**
 * A stand-in GitLab for relay tests: a real node:http server on 127.0.0.1, port 0, whose
 * default route echoes what it received and answers with runner headers, cookies and
 * hop-by-hop headers for the relay to handle. Tests add routes for redirects, big bodies and
 * hanging answers. Bodies are counted as they stream, never kept.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  bodyBytes: number;
}

export type Route = (req: IncomingMessage, res: ServerResponse, upstream: TestUpstream) => void;

export interface TestUpstream {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `127.0.0.1:<port>`, the relay's host segment. */
  host: string;
  /** Requests whose bodies have ended, in order. */
  received: ReceivedRequest[];
  /** Paths of requests whose connection closed before the upstream finished answering. */
  abandoned: string[];
  /** Request body bytes the echo route has read so far, across all requests. */
  bytesIn: number;
  close(): Promise<void>;
}

/** The headers GitLab answers a runner's trace PATCH with, plus what must be stripped (cors.ts). */
export const RUNNER_RESPONSE_HEADERS: Record<string, string | string[]> = {
  'Job-Status': 'running',
  Range: '0-42',
  'X-GitLab-Trace-Update-Interval': '3',
  'X-Request-Id': 'req-1',
  'Set-Cookie': ['_gitlab_session=abc; path=/', 'other=1'],
  'Access-Control-Allow-Origin': '*',
  'Keep-Alive': 'timeout=99, max=7',
  Connection: 'X-Hop',
  'X-Hop': 'only-for-this-connection',
};

/** Reads the whole body, counting bytes, then answers with JSON describing the request. */
export const echo: Route = (req, res, upstream) => {
  let bodyBytes = 0;
  req.on('data', (chunk: Buffer) => {
    bodyBytes += chunk.length;
    upstream.bytesIn += chunk.length;
  });
  req.on('end', () => {
    const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, bodyBytes };
    upstream.received.push(seen);
    const body = JSON.stringify(seen);
    res.writeHead(200, { 'Content-Type': 'application/json', ...RUNNER_RESPONSE_HEADERS });
    res.end(body);
  });
};

/** Starts an upstream; `routes` maps a path (without query) to its route, `echo` otherwise. */
export async function startUpstream(routes: Record<string, Route> = {}): Promise<TestUpstream> {
  const sockets = new Set<Socket>();
  const upstream: TestUpstream = {
    url: '',
    host: '',
    received: [],
    abandoned: [],
    bytesIn: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?', 1)[0] ?? '';
    res.on('close', () => {
      if (!res.writableFinished) upstream.abandoned.push(path);
    });
    (routes[path] ?? echo)(req, res, upstream);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  upstream.host = `127.0.0.1:${port}`;
  upstream.url = `http://${upstream.host}`;
  return upstream;
}
