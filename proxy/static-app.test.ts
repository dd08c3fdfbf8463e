import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelay, type RelayHandler } from './handler.ts';

let appDir: string;
let relay: RelayHandler;

beforeAll(async () => {
  appDir = await mkdtemp(join(tmpdir(), 'tabrunner-app-'));
  await mkdir(join(appDir, 'assets'));
  await writeFile(join(appDir, 'index.html'), '<!doctype html><title>tabrunner</title>');
  await writeFile(join(appDir, 'assets', 'app.js'), 'export {};');
  relay = createRelay(
    {
      upstreams: ['https://gitlab.example.com'],
      publicUrls: ['http://app.test'],
      cspConnectSrc: ['https://relay.example'],
    },
    { appDir, log: () => undefined },
  );
});

afterAll(async () => {
  if (appDir) await rm(appDir, { recursive: true, force: true });
});

const get = (path: string) => relay(new Request(`http://app.test${path}`));

describe('serving the built app', () => {
  it('serves files with cross-origin isolation and a strict CSP', async () => {
    const response = await get('/assets/app.js');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('export {};');
    expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(response.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(response.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self' https://relay.example");
    expect(csp).toContain('frame-src https://stackblitz.com');
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("'unsafe-eval'");
  });

  it('falls back to index.html for client routes, and 404s missing files with the same headers', async () => {
    const route = await get('/runner/settings');
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<title>tabrunner</title>');
    expect(route.headers.get('cache-control')).toBe('no-cache');
    const missing = await get('/assets/missing.js');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  });

  it('does not serve files outside the app folder', async () => {
    for (const path of ['/assets/..%2f..%2f..%2fetc/passwd', '/..%2f..%2f..%2fetc/hostname.txt']) {
      const response = await get(path);
      const text = await response.text();
      expect(text).not.toContain('root:');
      // Either a 404 or the app's own index.html (a client route), never the file.
      expect(response.status === 404 || text.includes('<title>tabrunner</title>')).toBe(true);
    }
  });
});
