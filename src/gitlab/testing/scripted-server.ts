/**
 * A real HTTP server on port 0 for contract tests: every request is recorded (method, path,
 * query, headers, raw body, decoded JSON) and answered by a script written from
 * docs/runner-protocol.md. A reply can also drop the connection (a lost response).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path without the query, e.g. `/api/v4/jobs/request`. */
  path: string;
  query: URLSearchParams;
  /** Lower-case names, as Node gives them. */
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The body decoded when `Content-Type` is JSON, else `undefined`. */
  json: unknown;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** A string or bytes as is; anything else is sent as JSON with `application/json`. */
  body?: unknown;
  /** Destroy the connection instead of answering (the client sees a network error). */
  drop?: boolean;
  /** Real milliseconds to wait before answering (a slow server). */
  delayMs?: number;
}

export type Script = (request: RecordedRequest) => Reply | Promise<Reply>;

export interface ScriptedServer {
  /** e.g. `http://127.0.0.1:41234`. */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startScriptedServer(script: Script): Promise<ScriptedServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const url = new URL(req.url ?? '/', 'http://localhost');
        let json: unknown;
        if ((req.headers['content-type'] ?? '').startsWith('application/json')) {
          try {
            json = JSON.parse(body.toString('utf8'));
          } catch {
            json = undefined;
          }
        }
        const recorded: RecordedRequest = {
          method: req.method ?? '',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body,
          json,
        };
        requests.push(recorded);
        let reply: Reply;
        try {
          reply = await script(recorded);
        } catch (err) {
          reply = { status: 599, body: `script error: ${String(err)}` };
        }
        if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
        if (reply.drop) {
          req.socket.destroy();
          return;
        }
        const headers: Record<string, string> = { ...reply.headers };
        let payload: string | Buffer | undefined;
        if (typeof reply.body === 'string' || Buffer.isBuffer(reply.body)) payload = reply.body;
        else if (reply.body !== undefined) {
          payload = JSON.stringify(reply.body);
          headers['Content-Type'] ??= 'application/json';
        }
        res.writeHead(reply.status, headers);
        res.end(payload);
      })();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
