/**
 * @module The relay as a Node HTTP server. Owns what only a socket can enforce: the raw
 * request target (raw-target.ts) and time limits against slow clients (node's
 * `headersTimeout` and `requestTimeout`). Everything else is the shared handler.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { AccessLogSink } from './access-log.ts';
import type { RelayServerOptions } from './config.ts';
import { createRelay } from './handler.ts';
import { checkRawTarget } from './raw-target.ts';
import type { RelayError } from './relay-error.ts';

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

/** Answers a refusal straight on the socket, before any URL parsing. */
function refuse(res: ServerResponse, error: RelayError): void {
  const body = JSON.stringify({ error: error.reason, message: error.message });
  res.writeHead(error.status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    Connection: 'close',
  });
  res.end(body);
}

/** Starts the relay; resolves once it listens. */
export async function startRelay(options: StartRelayOptions): Promise<RunningRelay> {
  const { port = 8787, host = '127.0.0.1', appDir, log, ...config } = options;
  const handler = createRelay({ ...config }, { appDir, log });
  const resolvedTimeouts = {
    headersTimeout: config.headersTimeoutMs ?? 20_000,
    requestTimeout: config.requestTimeoutMs ?? 600_000,
  };
  const listener = getRequestListener(handler, { overrideGlobalObjects: false });
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
        refuse(res, refusal);
        return;
      }
      void listener(req, res);
    },
  );
  // CONNECT would make the relay a tunnel (RFC 9110 §9.3.6); node hands it to this event.
  server.on('connect', (_req: IncomingMessage, socket: Socket) => {
    const body = '{"error":"bad_request_target","message":"The relay is not a forward proxy."}';
    socket.end(
      `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  // Idle keep-alive connections are closed after this long (node's default, stated on purpose).
  server.keepAliveTimeout = 5_000;
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
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
