/**
 * @module The relay as a Node HTTP or HTTPS server. Owns what only a socket can enforce: the
 * raw request target (raw-target.ts), time limits against slow clients (node's
 * `headersTimeout` and `requestTimeout`, and the TLS handshake's), the names it listens on
 * (host-check.ts) and its own certificate (relay-tls.ts). Everything else is the shared handler.
 */
import {
  createServer,
  type IncomingMessage,
  type ServerOptions,
  type ServerResponse,
} from 'node:http';
import { createServer as createSecureServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { logRefusal, stdoutAccessLog, type AccessLogSink } from './access-log.ts';
import { resolveRelayConfig, type RelayServerOptions } from './config.ts';
import { buildRelay } from './handler.ts';
import { listenHostsOf } from './host-check.ts';
import { refusalHeaders, refuseRawTarget } from './raw-target.ts';
import { RelayError } from './relay-error.ts';
import { checkRelayTls, type RelayTls } from './relay-tls.ts';

export interface StartRelayOptions extends RelayServerOptions {
  /** Where access log entries go. @default JSON lines on stdout */
  log?: AccessLogSink;
  /**
   * Serve HTTPS with this certificate and key (PEM text, e.g. from readRelayTls). Checked before
   * binding: a certificate that does not parse, a key that is not its own, or one out of its
   * validity fails the start with a RelayTlsError. @default plain HTTP
   */
  tls?: RelayTls;
}

export interface RunningRelay {
  /** `http://host:port`, or `https://` when started with `tls`; no trailing slash. */
  url: string;
  /** Stops listening and cuts open connections. */
  close(): Promise<void>;
}

/** Starts the relay; resolves once it listens. */
export async function startRelay(options: StartRelayOptions): Promise<RunningRelay> {
  const {
    port = 8787,
    host = '127.0.0.1',
    appDir,
    log = stdoutAccessLog,
    tls,
    ...config
  } = options;
  // Checked before binding, so a bad configuration never leaves a port taken.
  const resolved = resolveRelayConfig(config);
  if (tls) checkRelayTls(tls);
  const scheme = tls ? 'https' : 'http';
  // The handler exists before the server accepts anything; it asks for the listen names (whose
  // port is known only once bound, port 0 picks one) at each request.
  const listener = getRequestListener(
    buildRelay(resolved, {
      appDir,
      log,
      listenHosts: () => listenHostsOf(host, server.address(), scheme),
    }),
    { overrideGlobalObjects: false },
  );
  const serverOptions: ServerOptions = {
    headersTimeout: resolved.headersTimeoutMs,
    requestTimeout: resolved.requestTimeoutMs,
    // How often node looks for connections past those limits; by default only every 30 s.
    connectionsCheckingInterval: Math.min(1_000, resolved.headersTimeoutMs),
    // Headers beyond 16 KiB are refused with 431 (node's default, stated here on purpose).
    maxHeaderSize: 16 * 1024,
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (!refuseRawTarget(req, res, log)) void listener(req, res);
  };
  const server = tls
    ? createSecureServer(
        {
          ...serverOptions,
          cert: tls.cert,
          key: tls.key,
          // The header clock starts only once the handshake is done; a client that opens a
          // connection and never finishes the handshake gets the same time as one that never
          // sends its headers (node's own default is 120 s).
          handshakeTimeout: resolved.headersTimeoutMs,
        },
        onRequest,
      )
    : createServer(serverOptions, onRequest);
  // CONNECT would make the relay a tunnel (RFC 9110 §9.3.6); node hands it to this event.
  server.on('connect', (req: IncomingMessage, socket: Socket) => {
    const error = new RelayError('bad_request_target', 'The relay is not a forward proxy.');
    const body = error.body();
    const head = Object.entries(refusalHeaders(body))
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.end(`HTTP/1.1 400 Bad Request\r\n${head}\r\n${body}`);
    logRefusal(log, req, error, Buffer.byteLength(body));
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
      resolve(server.address() as AddressInfo);
    });
  });
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `${scheme}://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
