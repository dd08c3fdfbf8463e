import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSpecialAddress } from './address-guard.ts';
import { startRelay, type RunningRelay } from './node.ts';
import { rawRequest } from './testing/raw-request.ts';
import { startUpstream, type ReceivedRequest, type TestUpstream } from './testing/upstream.ts';

let upstream: TestUpstream;
const relays: RunningRelay[] = [];

async function relayFor(
  config: Omit<Parameters<typeof startRelay>[0], 'port' | 'log'>,
): Promise<RunningRelay> {
  const relay = await startRelay({ port: 0, log: () => undefined, ...config });
  relays.push(relay);
  return relay;
}

beforeAll(async () => {
  upstream = await startUpstream({
    '/api/v4/jobs/hang': () => undefined,
    '/api/v4/jobs/slow': (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.write(Buffer.alloc(1024, 1));
    },
  });
});

afterAll(async () => {
  await Promise.all(relays.map((r) => r.close()));
  await upstream?.close();
});

/** Sends bytes one small write at a time until the server closes the connection. */
function trickle(
  url: string,
  head: string,
  each: string,
): Promise<{ closed: true; response: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket: Socket = connect(Number(port), hostname);
    let response = '';
    const timer = setInterval(() => {
      if (!socket.destroyed) socket.write(each);
    }, 200);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(head));
    socket.on('data', (chunk: string) => {
      response += chunk;
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ closed: true, response });
    });
  });
}

describe('private addresses', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.20.0.1', true],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['::1', true],
    ['::', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['fd12:3456::1', true],
    ['fe80::1', true],
    ['8.8.8.8', false],
    ['140.82.112.3', false],
    ['2606:4700:4700::1111', false],
  ])('judges %s special: %s', (address, expected) => {
    expect(isSpecialAddress(address)).toBe(expected);
  });

  it('refuses an upstream named by a loopback IP unless allowed', async () => {
    const relay = await relayFor({ upstreams: [upstream.url] });
    const before = upstream.received.length;
    const response = await fetch(`${relay.url}/gitlab/${upstream.host}/api/v4/jobs/1`);
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: string }).error).toBe('private_address');
    expect(upstream.received.length).toBe(before);
  });

  it('refuses a name that resolves to loopback, checking the resolved address', async () => {
    const port = new URL(upstream.url).port;
    const relay = await relayFor({ upstreams: [`http://localhost:${port}`] });
    const before = upstream.received.length;
    const response = await fetch(`${relay.url}/gitlab/localhost:${port}/api/v4/jobs/1`);
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: string }).error).toBe('private_address');
    expect(upstream.received.length).toBe(before);
  });

  it('relays to a private upstream the configuration names', async () => {
    const port = new URL(upstream.url).port;
    const relay = await relayFor({
      upstreams: [`http://localhost:${port}`],
      allowPrivate: [`localhost:${port}`],
    });
    const response = await fetch(`${relay.url}/gitlab/localhost:${port}/api/v4/jobs/1`);
    expect(response.status).toBe(200);
    await response.body?.cancel();
  });
});

describe('size and time limits', () => {
  it('refuses a declared oversized body without contacting the upstream', async () => {
    const relay = await relayFor({
      upstreams: [upstream.url],
      allowPrivate: [upstream.host],
      maxRequestBytes: 1024,
    });
    const before = upstream.received.length;
    const response = await fetch(`${relay.url}/gitlab/${upstream.host}/api/v4/jobs/1/artifacts`, {
      method: 'POST',
      body: Buffer.alloc(2048),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: string }).error).toBe('body_too_large');
    expect(upstream.received.length).toBe(before);
  });

  it('cuts a streamed (chunked) body once it passes the limit', async () => {
    const relay = await relayFor({
      upstreams: [upstream.url],
      allowPrivate: [upstream.host],
      maxRequestBytes: 1024,
    });
    const before = upstream.received.length;
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 64 * 1024) return controller.close();
        sent += 512;
        controller.enqueue(new Uint8Array(512));
      },
    });
    const response = await fetch(`${relay.url}/gitlab/${upstream.host}/api/v4/jobs/1/artifacts`, {
      method: 'POST',
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    await response.body?.cancel();
    // The upstream never saw a complete request.
    expect(upstream.received.length).toBe(before);
  });

  it('disconnects a client that sends its headers too slowly (slow loris)', async () => {
    const relay = await relayFor({
      upstreams: [upstream.url],
      allowPrivate: [upstream.host],
      headersTimeoutMs: 1000,
      requestTimeoutMs: 2000,
    });
    const outcome = await trickle(
      relay.url,
      `GET /healthz HTTP/1.1\r\nHost: x\r\n`,
      'X-Slow: 1\r\n',
    );
    expect(outcome.closed).toBe(true);
    expect(outcome.response).toMatch(/^HTTP\/1\.1 408 /);
  }, 20_000);

  it('disconnects a client that sends its body too slowly', async () => {
    const relay = await relayFor({
      upstreams: [upstream.url],
      allowPrivate: [upstream.host],
      headersTimeoutMs: 1000,
      requestTimeoutMs: 2000,
    });
    const outcome = await trickle(
      relay.url,
      `PUT /gitlab/${upstream.host}/api/v4/jobs/1 HTTP/1.1\r\nHost: ${new URL(relay.url).host}\r\nContent-Length: 100000\r\n\r\n`,
      'x',
    );
    expect(outcome.closed).toBe(true);
    expect(outcome.response).toMatch(/^HTTP\/1\.1 408 /);
  }, 20_000);

  it('answers 504 when the upstream goes quiet', async () => {
    const relay = await relayFor({
      upstreams: [upstream.url],
      allowPrivate: [upstream.host],
      upstreamTimeoutMs: 300,
    });
    const response = await fetch(`${relay.url}/gitlab/${upstream.host}/api/v4/jobs/hang`);
    expect(response.status).toBe(504);
    expect(((await response.json()) as { error: string }).error).toBe('upstream_timeout');
  });

  it('answers 502 when the upstream is unreachable', async () => {
    const closed = createTcpServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const relay = await relayFor({
      upstreams: [`http://127.0.0.1:${port}`],
      allowPrivate: [`127.0.0.1:${port}`],
    });
    const response = await fetch(`${relay.url}/gitlab/127.0.0.1:${port}/api/v4/jobs/request`, {
      method: 'POST',
    });
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: string }).error).toBe('upstream_unreachable');
  });

  it("never forwards a GET's Content-Length without its body", async () => {
    // Kept short: before this was fixed, the upstream waited for the announced bytes.
    const relay = await relayFor({
      upstreams: [upstream.url],
      allowPrivate: [upstream.host],
      upstreamTimeoutMs: 2_000,
    });
    const before = upstream.received.length;
    const response = await rawRequest(
      relay.url,
      `GET /gitlab/${upstream.host}/api/v4/jobs/1 HTTP/1.1\r\nHost: ${new URL(relay.url).host}\r\nContent-Length: 5`,
      'hello',
    );
    expect(response.status).toBe(200);
    expect(upstream.received.length).toBe(before + 1);
    const seen = upstream.received.at(-1) as ReceivedRequest;
    expect(seen.headers['content-length']).toBeUndefined();
    expect(seen.bodyBytes).toBe(0);
    // The pooled upstream connection is still in step: the next request is answered as itself.
    const next = await fetch(`${relay.url}/gitlab/${upstream.host}/api/v4/jobs/2`);
    expect(next.status).toBe(200);
    expect(((await next.json()) as ReceivedRequest).url).toBe('/api/v4/jobs/2');
  }, 10_000);

  it("forwards the client's abort to the upstream", async () => {
    const relay = await relayFor({ upstreams: [upstream.url], allowPrivate: [upstream.host] });
    const controller = new AbortController();
    const response = await fetch(`${relay.url}/gitlab/${upstream.host}/api/v4/jobs/slow`, {
      signal: controller.signal,
    });
    const reader = response.body?.getReader();
    const first = await reader?.read();
    expect(first?.value?.byteLength).toBeGreaterThan(0);
    controller.abort();
    await expect
      .poll(() => upstream.abandoned.includes('/api/v4/jobs/slow'), { timeout: 10_000 })
      .toBe(true);
  });
});
