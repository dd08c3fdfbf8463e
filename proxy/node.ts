/**
 * @module The relay as a Node HTTP server. Owns what only a socket can enforce: the raw
 * request target (raw-target.ts), time limits against slow clients (node's `headersTimeout`
 * and `requestTimeout`) and the names it listens on (host-check.ts). Everything else is the
 * shared handler.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { logRefusal, stdoutAccessLog, type AccessLogSink } from './access-log.ts';
import { resolveRelayConfig, type RelayServerOptions } from './config.ts';
import { createRelay } from './handler.ts';
import { listenHostNames } from './host-check.ts';
import { checkRawTarget } from './raw-target.ts';
import { RelayError } from './relay-error.ts';

export interface StartRelayOptions extends RelayServerOptions {
  /** Where access log entries go. @default JSON lines on stdout */
  log?: AccessLogSink;
}

export interface RunningRelay {
  /** `http://host:port`, no trailing slash. */
  url: string;
  /** Stops listening and cuts open connections. */
  close(): Promise<void>;
}

function refusalBody(error: RelayError): string {
  return JSON.stringify({ error: error.reason, message: error.message });
}

/** What the access log needs of a request node parsed but the relay will not read further. */
function seen(req: IncomingMessage) {
  const origin = req.headers.origin;
  return { method: req.method ?? '', target: req.url ?? '', origin: origin ?? null };
}

/** Answers a refusal straight on the socket, before any URL parsing. */
function refuse(res: ServerResponse, error: RelayError): number {
  const body = refusalBody(error);
  res.writeHead(error.status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    Connection: 'close',
  });
  res.end(body);
  return Buffer.byteLength(body);
}

/** Starts the relay; resolves once it listens. */
export async function startRelay(options: StartRelayOptions): Promise<RunningRelay> {
  const { port = 8787, host = '127.0.0.1', appDir, log = stdoutAccessLog, ...config } = options;
  // Checked before binding, so a bad configuration never leaves a port taken.
  resolveRelayConfig(config);
  const resolvedTimeouts = {
    headersTimeout: config.headersTimeoutMs ?? 20_000,
    requestTimeout: config.requestTimeoutMs ?? 600_000,
  };
  // The handler needs the port it listens on (port 0 picks one), so it is made in listen()'s
  // callback, which runs before the server accepts its first connection.
  let listener: ReturnType<typeof getRequestListener> | undefined;
  const server = createServer(
    {
      ...resolvedTimeouts,
      // How often node looks for connections past those limits; by default only every 30 s.
      connectionsCheckingInterval: Math.min(1_000, resolvedTimeouts.headersTimeout),
      // Headers beyond 16 KiB are refused with 431 (node's default, stated here on purpose).
      maxHeaderSize: 16 * 1024,
    },
    (req: IncomingMessage, res: ServerResponse) => {
      const refusal = checkRawTarget(req.url ?? '');
      if (refusal) {
        logRefusal(log, seen(req), refusal, refuse(res, refusal));
        return;
      }
      void listener?.(req, res);
    },
  );
  // CONNECT would make the relay a tunnel (RFC 9110 §9.3.6); node hands it to this event.
  server.on('connect', (req: IncomingMessage, socket: Socket) => {
    const error = new RelayError('bad_request_target', 'The relay is not a forward proxy.');
    const body = refusalBody(error);
    socket.end(
      `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    logRefusal(log, seen(req), error, Buffer.byteLength(body));
  });
  // Idle keep-alive connections are closed after this long (node's default, stated on purpose).
  server.keepAliveTimeout = 5_000;
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const address = await new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const bound = server.address() as AddressInfo;
      const handler = createRelay(config, {
        appDir,
        log,
        listenHosts: listenHostNames([host, bound.address], bound.port),
      });
      listener = getRequestListener(handler, { overrideGlobalObjects: false });
      resolve(bound);
    });
  });
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
