import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelay } from './handler.ts';
import { listenHostNames, listenHostsOf } from './host-check.ts';
import { startRelay, type RunningRelay } from './node.ts';
import { errorOf, rawRequest, refusalOf } from './testing/raw-request.ts';
import { startUpstream, type TestUpstream } from './testing/upstream.ts';

/**
 * DNS rebinding: a page on attacker.example, whose name later resolves to the relay, sends
 * `Host: attacker.example:<port>` with a matching `Origin`. The relay must only answer to the
 * names it listens on and the public URLs it is told about.
 */

let upstream: TestUpstream;
let appDir: string;
let local: RunningRelay;
let published: RunningRelay;
let port: string;

beforeAll(async () => {
  upstream = await startUpstream();
  appDir = await mkdtemp(join(tmpdir(), 'tabrunner-host-check-'));
  await writeFile(join(appDir, 'index.html'), '<!doctype html><title>app</title>');
  const common = {
    port: 0,
    upstreams: [upstream.url],
    allowPrivate: [upstream.host],
    appDir,
    log: () => undefined,
  };
  local = await startRelay(common);
  published = await startRelay({
    ...common,
    publicUrls: ['https://runner.example.com', 'http://relay.test:8080'],
  });
  port = new URL(local.url).port;
});

afterAll(async () => {
  await local?.close();
  await published?.close();
  await upstream?.close();
  if (appDir) await rm(appDir, { recursive: true, force: true });
});

function send(relay: RunningRelay, path: string, host: string, origin?: string) {
  const originLine = origin === undefined ? '' : `\r\nOrigin: ${origin}`;
  return rawRequest(relay.url, `GET ${path} HTTP/1.1\r\nHost: ${host}${originLine}`);
}

describe('the Host header', () => {
  it('refuses a rebound name with a matching Origin before anything goes upstream', async () => {
    const before = upstream.received.length;
    const attacker = `attacker.example:${port}`;
    const response = await send(
      local,
      `/gitlab/${upstream.host}/api/v4/jobs/1`,
      attacker,
      `http://${attacker}`,
    );
    expect(response.status).toBe(421);
    expect(refusalOf(response)?.error).toBe('relay_host_not_allowed');
    expect(refusalOf(response)?.message).toContain('--public-url or RELAY_PUBLIC_URLS');
    expect(response.text.toLowerCase()).not.toContain('access-control-allow-origin');
    expect(upstream.received.length).toBe(before);
  });

  it('refuses a rebound name for the app too, but answers /healthz whatever the Host', async () => {
    const app = await send(local, '/', `attacker.example:${port}`);
    expect(app.status).toBe(421);
    expect(app.text).not.toContain('<title>app</title>');
    // Also for a name no URL parser accepts (it ends in a number but is no IPv4 address).
    for (const host of ['load-balancer.internal', `attacker.example.127.0.0.1:${port}`]) {
      const health = await send(local, '/healthz', host);
      expect(health.status).toBe(200);
      expect(health.text).toContain('"status":"ok"');
    }
  });

  it.each(['127.0.0.1', 'localhost', 'LOCALHOST', '[::1]'])(
    'accepts %s on its own port for a loopback listen',
    async (name) => {
      const response = await send(
        local,
        `/gitlab/${upstream.host}/api/v4/jobs/1`,
        `${name}:${port}`,
        `http://${name.toLowerCase()}:${port}`,
      );
      expect(response.status).toBe(200);
      expect(response.text.toLowerCase()).toContain(
        `access-control-allow-origin: http://${name.toLowerCase()}:${port}`,
      );
    },
  );

  it.each([
    ['another port', '127.0.0.1:1'],
    ['no port', '127.0.0.1'],
    ['a trailing dot', `localhost.:PORT`],
    ['a subdomain of localhost', `evil.localhost:PORT`],
  ])('refuses %s with 421', async (_name, host) => {
    const before = upstream.received.length;
    const response = await send(
      local,
      `/gitlab/${upstream.host}/api/v4/jobs/1`,
      host.replace('PORT', port),
    );
    expect(response.status).toBe(421);
    expect(errorOf(response)).toBe('relay_host_not_allowed');
    expect(upstream.received.length).toBe(before);
  });

  // @hono/node-server cannot make a URL of these, so it answers a bare 400 before the relay's
  // handler (and its Host check and access log) ever runs.
  it.each([
    ['userinfo', `attacker.example@127.0.0.1:PORT`],
    ['an empty Host', ''],
  ])('has %s refused with 400 by the request adapter', async (_name, host) => {
    const before = upstream.received.length;
    const response = await send(
      local,
      `/gitlab/${upstream.host}/api/v4/jobs/1`,
      host.replace('PORT', port),
    );
    expect(response.status).toBe(400);
    expect(errorOf(response)).toBeNull();
    expect(upstream.received.length).toBe(before);
  });

  it('answers to the names given with --public-url, and to those alone', async () => {
    const ok = await send(
      published,
      `/gitlab/${upstream.host}/api/v4/jobs/1`,
      'runner.example.com',
      'https://runner.example.com',
    );
    expect(ok.status).toBe(200);
    expect(ok.text.toLowerCase()).toContain(
      'access-control-allow-origin: https://runner.example.com',
    );
    for (const host of ['runner.example.com:443', 'relay.test:8080']) {
      expect((await send(published, '/', host)).status).toBe(200);
    }
    for (const host of ['runner.example.com:8443', 'relay.test', 'other.example.com']) {
      const refused = await send(published, '/', host);
      expect(refused.status).toBe(421);
    }
    // Its listen names still work next to the public ones.
    const own = new URL(published.url).host;
    expect((await send(published, '/', own)).status).toBe(200);
  });
});

describe('listen names', () => {
  it.each([
    [
      ['0.0.0.0', '0.0.0.0'],
      ['localhost:8787', '127.0.0.1:8787', '[::1]:8787'],
    ],
    [
      ['::', '::'],
      ['localhost:8787', '127.0.0.1:8787', '[::1]:8787'],
    ],
    [
      ['localhost', '::1'],
      ['localhost:8787', '127.0.0.1:8787', '[::1]:8787'],
    ],
    [['192.168.1.5', '192.168.1.5'], ['192.168.1.5:8787']],
    [
      ['relay.lan', '10.0.0.7'],
      ['relay.lan:8787', '10.0.0.7:8787'],
    ],
  ])('a listen on %j answers to %j', (addresses, expected) => {
    expect(listenHostNames(addresses, 8787).sort()).toEqual([...expected].sort());
  });

  it('are those of the configured host and the bound address, once bound', () => {
    const bound = { address: '10.0.0.7', family: 'IPv4', port: 5173 };
    expect(listenHostsOf('relay.lan', null)).toEqual([]);
    expect(listenHostsOf('relay.lan', bound).sort()).toEqual(['10.0.0.7:5173', 'relay.lan:5173']);
    // Vite's `host: true` (all interfaces) names nothing itself; the bound address does.
    expect(listenHostsOf(true, { ...bound, address: '::', family: 'IPv6' }).sort()).toEqual(
      ['127.0.0.1:5173', '[::1]:5173', 'localhost:5173'].sort(),
    );
  });

  it('include the bare name for HTTPS on 443, which browsers send without the port', async () => {
    expect(listenHostNames(['relay.lan'], 443, 'https')).toEqual(['relay.lan:443', 'relay.lan']);
    expect(listenHostNames(['relay.lan'], 8443, 'https')).toEqual(['relay.lan:8443']);
    expect(listenHostNames(['relay.lan'], 443)).toEqual(['relay.lan:443']);
    const relay = createRelay(
      { upstreams: ['https://gitlab.example.com'] },
      { log: () => undefined, listenHosts: () => listenHostNames(['relay.lan'], 443, 'https') },
    );
    // Past the Host check: nothing is served there.
    expect((await relay(new Request('https://relay.lan/nothing'))).status).toBe(404);
  });

  it('are asked for at each request, so a handler built before its server listens learns them', async () => {
    let names: string[] = [];
    const relay = createRelay(
      { upstreams: ['https://gitlab.example.com'] },
      { log: () => undefined, listenHosts: () => names },
    );
    const get = () => relay(new Request('http://127.0.0.1:5173/nothing'));
    expect((await get()).status).toBe(421);
    names = listenHostNames(['127.0.0.1'], 5173);
    // Past the Host check: nothing is served there.
    expect((await get()).status).toBe(404);
    names = listenHostNames(['127.0.0.1'], 5174);
    expect((await get()).status).toBe(421);
  });
});
