import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessLogEntry } from './access-log.ts';
import { rawRequest } from './testing/raw-request.ts';
import { startUpstream, type ReceivedRequest, type TestUpstream } from './testing/upstream.ts';
import { relayPlugin } from './vite-plugin.ts';

let upstream: TestUpstream;
let vite: ViteDevServer;
let base: string;
let root: string;
const log: AccessLogEntry[] = [];

beforeAll(async () => {
  upstream = await startUpstream();
  root = await mkdtemp(join(tmpdir(), 'tabrunner-vite-relay-'));
  await writeFile(join(root, 'index.html'), '<!doctype html><title>app</title>');
  vite = await createServer({
    root,
    configFile: false,
    logLevel: 'silent',
    // Vite's own Host check off, so what is tested below is the relay's.
    server: { port: 0, host: '127.0.0.1', strictPort: false, ws: false, allowedHosts: true },
    plugins: [
      relayPlugin({
        config: { upstreams: [upstream.url], allowPrivate: [upstream.host] },
        log: (e) => log.push(e),
      }),
    ],
  });
  await vite.listen();
  const { port } = vite.httpServer?.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await vite?.close();
  await upstream?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe("the relay in Vite's dev server", () => {
  it('relays runner calls at the same paths as in production', async () => {
    const response = await fetch(`${base}/gitlab/${upstream.host}/api/v4/jobs/request`, {
      method: 'POST',
      body: '{}',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('job-status')).toBe('running');
    expect(((await response.json()) as ReceivedRequest).url).toBe('/api/v4/jobs/request');
    expect(log.at(-1)).toMatchObject({ method: 'POST', status: 200, upstream: upstream.host });
  });

  it('refuses what production refuses, and leaves the app to Vite', async () => {
    const refused = await fetch(`${base}/gitlab/${upstream.host}/api/v4/projects`);
    expect(refused.status).toBe(403);
    await refused.body?.cancel();
    const before = upstream.received.length;
    // Vite's own URL checks may answer first (403); either way nothing reaches the upstream.
    const traversal = await rawRequest(
      base,
      `GET /gitlab/${upstream.host}/api/v4/jobs/%2e%2e/projects HTTP/1.1\r\nHost: x`,
    );
    expect([400, 403]).toContain(traversal.status);
    const absolute = await rawRequest(
      base,
      `GET http://evil.example/gitlab/${upstream.host}/api/v4/jobs/1 HTTP/1.1\r\nHost: x`,
    );
    expect([400, 403]).toContain(absolute.status);
    expect(upstream.received.length).toBe(before);
    // Refused before the handler, still logged.
    expect(log.at(-1)).toMatchObject({ status: 400, reason: 'bad_request_target' });
    const health = await fetch(`${base}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
    const app = await fetch(`${base}/`);
    expect(app.status).toBe(200);
    expect(await app.text()).toContain('<title>app</title>');
  });

  it('answers only to the names Vite listens on (DNS rebinding)', async () => {
    const before = upstream.received.length;
    const rebound = `attacker.example:${new URL(base).port}`;
    const refused = await rawRequest(
      base,
      `GET /gitlab/${upstream.host}/api/v4/jobs/1 HTTP/1.1\r\nHost: ${rebound}\r\nOrigin: http://${rebound}`,
    );
    expect(refused.status).toBe(421);
    expect(refused.text).toContain('relay_host_not_allowed');
    expect(refused.text.toLowerCase()).not.toContain('access-control-allow-origin');
    expect(upstream.received.length).toBe(before);
    const local = await rawRequest(
      base,
      `GET /gitlab/${upstream.host}/api/v4/jobs/1 HTTP/1.1\r\nHost: localhost:${new URL(base).port}`,
    );
    expect(local.status).toBe(200);
  });
});
