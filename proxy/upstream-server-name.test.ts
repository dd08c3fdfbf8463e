/**
 * The TLS server name (SNI) the relay sends to an https upstream. SNI carries DNS names only
 * (RFC 6066 §3): an upstream given as an IP literal gets none, and node no longer warns
 * (DEP0123) about it. The upstream is a real node:https server on 127.0.0.1 with a self-signed
 * certificate; the relay does not trust it, so the handshake fails, which does not matter here:
 * the server name is sent in the first message, before any certificate is checked.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../test/support/until.ts';
import { createRelay, type RelayHandler } from './handler.ts';
import { makeSelfSignedCert, type SelfSignedCert } from './testing/self-signed-cert.ts';

let cert: SelfSignedCert;
let server: Server;
let port = 0;
let relay: RelayHandler;
/** The server name of each ClientHello that had one. */
const serverNames: string[] = [];
/** Handshakes that ended at the upstream (failed or done), with or without a server name. */
let hellos = 0;
/** Node warnings emitted while a test ran. */
const warnings: Error[] = [];
const onWarning = (warning: Error) => warnings.push(warning);

beforeAll(async () => {
  cert = await makeSelfSignedCert(['localhost', '127.0.0.1']);
  server = createServer({
    cert: cert.cert,
    key: cert.key,
    // Called for every ClientHello that names a server; a hello without one skips it.
    SNICallback: (name, done) => {
      serverNames.push(name);
      done(null, undefined);
    },
  });
  // Any handshake ends up here or in `tlsClientError` (the relay refuses the certificate).
  server.on('tlsClientError', () => hellos++);
  server.on('secureConnection', () => hellos++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  relay = createRelay(
    {
      upstreams: [`https://127.0.0.1:${port}`, `https://localhost:${port}`],
      allowPrivate: [`127.0.0.1:${port}`, `localhost:${port}`],
      publicUrls: ['http://relay.test'],
    },
    { log: () => undefined },
  );
  process.on('warning', onWarning);
}, 60_000);

afterEach(() => {
  serverNames.length = 0;
  hellos = 0;
  warnings.length = 0;
});

afterAll(async () => {
  process.off('warning', onWarning);
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await cert?.remove();
});

/** A git clone's first call through the relay to `host`, and its answer's status. */
async function callThrough(host: string): Promise<number> {
  const response = await relay(
    new Request(
      `http://relay.test/gitlab/${host}/demo/sample.git/info/refs?service=git-upload-pack`,
    ),
  );
  await response.body?.cancel();
  return response.status;
}

/** Resolves once the upstream has seen `count` handshakes (one may end after the relay answers). */
const handshakes = (count: number) =>
  until(() => hellos >= count, `${count} TLS handshake(s) at the upstream`, 5_000);

describe('the TLS server name sent to an https upstream', () => {
  it('is none for an IP literal, and node warns of nothing', async () => {
    // Not trusted (self-signed): the relay answers that it could not reach the upstream.
    expect(await callThrough(`127.0.0.1:${port}`)).toBe(502);
    await handshakes(1);
    // Warnings reach `process` on a later tick than the call that caused them.
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.map((w) => `${w.name} ${(w as { code?: string }).code ?? ''}`)).toEqual([]);
    expect(serverNames).toEqual([]);
  });

  it('is the DNS name for an upstream given by name', async () => {
    expect(await callThrough(`localhost:${port}`)).toBe(502);
    await handshakes(1);
    expect(serverNames).toEqual(['localhost']);
  });
});
