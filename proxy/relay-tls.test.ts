import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import { connect, createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasErrorCode } from '../src/errors/index.ts';
import { startRelay, type RunningRelay } from './node.ts';
import { checkRelayTls } from './relay-tls.ts';
import { makeSelfSignedCert, type SelfSignedCert } from './testing/self-signed-cert.ts';
import { startUpstream, type TestUpstream } from './testing/upstream.ts';

/**
 * The relay serving HTTPS itself (`tls`), as a workshop on a LAN needs: the same handler, the
 * same refusals and time limits as over plain HTTP, and a certificate checked before binding.
 */

let cert: SelfSignedCert;
let other: SelfSignedCert;
let appDir: string;
let upstream: TestUpstream;
let relay: RunningRelay;

beforeAll(async () => {
  [cert, other] = await Promise.all([makeSelfSignedCert(), makeSelfSignedCert(['other.test'])]);
  appDir = await mkdtemp(join(tmpdir(), 'tabrunner-relay-tls-'));
  await writeFile(join(appDir, 'index.html'), '<!doctype html><title>app</title>');
  upstream = await startUpstream();
  relay = await startRelay({
    port: 0,
    upstreams: [upstream.url],
    allowPrivate: [upstream.host],
    appDir,
    tls: { cert: cert.cert, key: cert.key },
    log: () => undefined,
  });
}, 60_000);

afterAll(async () => {
  await relay?.close();
  await upstream?.close();
  await cert?.remove();
  await other?.remove();
  if (appDir) await rm(appDir, { recursive: true, force: true });
});

interface HttpsAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A GET over TLS that trusts only the test certificate; `path` is sent as written. The
 * certificate is checked for `localhost` whatever `Host` the request claims.
 */
function httpsGet(path: string, headers: Record<string, string> = {}): Promise<HttpsAnswer> {
  const { hostname, port } = new URL(relay.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname, port, path, ca: cert.cert, servername: 'localhost', headers, timeout: 10_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer to GET ${path} in 10 s`)));
    req.on('error', reject);
    req.end();
  });
}

/** A port nothing listens on right now: bound, read, released. */
async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the relay over HTTPS', () => {
  it('names itself https:// and serves the app with the cross-origin isolation headers', async () => {
    expect(relay.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const answer = await httpsGet('/');
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('<title>app</title>');
    expect(answer.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(answer.headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect(answer.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('forwards the runner API to its upstream as over HTTP', async () => {
    const before = upstream.received.length;
    const answer = await httpsGet(`/gitlab/${upstream.host}/api/v4/jobs/1`);
    expect(answer.status).toBe(200);
    expect(upstream.received.length).toBe(before + 1);
    expect(upstream.received.at(-1)?.url).toBe('/api/v4/jobs/1');
  });

  it('keeps the Host check and the raw-target check', async () => {
    const { port } = new URL(relay.url);
    const rebound = await httpsGet('/', { Host: `attacker.example:${port}` });
    expect(rebound.status).toBe(421);
    expect(JSON.parse(rebound.body)).toMatchObject({ error: 'relay_host_not_allowed' });
    const walked = await httpsGet(`/gitlab/${upstream.host}/api/v4/jobs/%2e%2e/1`);
    expect(walked.status).toBe(400);
    expect(JSON.parse(walked.body)).toMatchObject({ error: 'bad_request_target' });
  });

  it('cuts a connection that never finishes the TLS handshake, like one that never sends headers', async () => {
    const quick = await startRelay({
      port: 0,
      upstreams: [upstream.url],
      allowPrivate: [upstream.host],
      headersTimeoutMs: 300,
      tls: { cert: cert.cert, key: cert.key },
      log: () => undefined,
    });
    try {
      const { hostname, port } = new URL(quick.url);
      const socket = connect(Number(port), hostname);
      const closed = await new Promise<'closed' | 'still open'>((resolve) => {
        // Bounded: well past the 300 ms limit and node's 1 s check, well inside the test.
        const timer = setTimeout(() => resolve('still open'), 10_000);
        socket.on('close', () => {
          clearTimeout(timer);
          resolve('closed');
        });
        socket.on('error', () => undefined);
      });
      socket.destroy();
      expect(closed).toBe('closed');
    } finally {
      await quick.close();
    }
  });
});

describe('a certificate that cannot serve', () => {
  it.each([
    ['a certificate that is not PEM', () => ({ cert: 'not a certificate', key: cert.key }), 'cert'],
    ['a key where the certificate goes', () => ({ cert: cert.key, key: cert.key }), 'cert'],
    ['an empty key', () => ({ cert: cert.cert, key: '' }), 'key'],
    ['a key of another certificate', () => ({ cert: cert.cert, key: other.key }), 'pair'],
  ])('fails the start on %s, naming the part, before taking the port', async (_, tls, part) => {
    const port = await freePort();
    const attempt = startRelay({
      port,
      upstreams: [upstream.url],
      tls: tls(),
      log: () => undefined,
    });
    const error: unknown = await attempt.catch((err: unknown) => err);
    expect(hasErrorCode(error, 'RelayTlsError')).toBe(true);
    expect(error).toMatchObject({ data: { part } });
    expect(String(error)).toMatch(/--tls-(cert|key)/);
    expect(String(error)).not.toContain('PRIVATE KEY-----\n');
    // Nothing was left listening: the same port serves a relay with a good certificate.
    const good = await startRelay({
      port,
      upstreams: [upstream.url],
      tls: { cert: cert.cert, key: cert.key },
      log: () => undefined,
    });
    expect(good.url).toBe(`https://127.0.0.1:${port}`);
    await good.close();
  });

  it('refuses an encrypted key, saying how to decrypt it', () => {
    const encrypted = cert.key
      .replace('-----BEGIN PRIVATE KEY-----', '-----BEGIN ENCRYPTED PRIVATE KEY-----')
      .replace('-----END PRIVATE KEY-----', '-----END ENCRYPTED PRIVATE KEY-----');
    expect(() => checkRelayTls({ cert: cert.cert, key: encrypted })).toThrow(/openssl pkey/);
  });

  it('refuses a certificate outside its validity, as browsers would', () => {
    const day = 24 * 60 * 60 * 1000;
    const tls = { cert: cert.cert, key: cert.key };
    expect(() => checkRelayTls(tls)).not.toThrow();
    expect(() => checkRelayTls(tls, new Date(Date.now() + 2 * day))).toThrow(/expired on/);
    expect(() => checkRelayTls(tls, new Date(Date.now() - 2 * day))).toThrow(/valid only from/);
  });
});
