import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../emulator/index.ts';
import { insertJob, insertPipeline, insertProject } from '../emulator/test-support/index.ts';
import { startRelay, type RunningRelay } from './node.ts';
import { launchChromium } from '../test/support/chromium.ts';

/**
 * The page under test, served by the relay as the app. It PATCHes a trace three ways and
 * reports which runner headers its script could read: through the relay on its own origin,
 * through a relay on another origin (CORS), and straight at the emulator in GitLab's CORS mode.
 */
const APP_JS = `
const params = new URLSearchParams(location.search);
const upstream = params.get('upstream');
const path = '/api/v4/jobs/' + params.get('job') + '/trace';
let offset = 0;
async function patch(base) {
  const body = 'line\\n';
  const response = await fetch(base + path, {
    method: 'PATCH',
    headers: { 'JOB-TOKEN': params.get('token'), 'Content-Type': 'text/plain', 'Content-Range': offset + '-' + (offset + body.length - 1) },
    body,
  });
  offset += body.length;
  return { status: response.status, jobStatus: response.headers.get('Job-Status'), range: response.headers.get('Range') };
}
async function main() {
  const result = { isolated: self.crossOriginIsolated };
  result.sameOrigin = await patch('/gitlab/' + upstream);
  result.crossOrigin = await patch(params.get('otherRelay') + '/gitlab/' + upstream);
  result.direct = await patch('http://' + upstream);
  return result;
}
main().then(
  (r) => { document.getElementById('out').textContent = JSON.stringify(r); },
  (e) => { document.getElementById('out').textContent = JSON.stringify({ error: String(e) }); },
);
`;

const INDEX_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>relay test</title></head>
<body><pre id="out"></pre><script type="module" src="/app.js"></script></body></html>`;

interface Patched {
  status: number;
  jobStatus: string | null;
  range: string | null;
}

let appDir: string;
let emulator: Emulator;
let appRelay: RunningRelay;
let otherRelay: RunningRelay;
let browser: Browser;

beforeAll(async () => {
  appDir = await mkdtemp(join(tmpdir(), 'tabrunner-relay-app-'));
  await writeFile(join(appDir, 'index.html'), INDEX_HTML);
  await writeFile(join(appDir, 'app.js'), APP_JS);
  emulator = await startEmulator({ corsMode: 'gitlab' });
  const upstreamHost = new URL(emulator.url).host;
  const common = {
    port: 0,
    upstreams: [emulator.url],
    allowPrivate: [upstreamHost],
    log: () => undefined,
  };
  // The app relay lets its page connect to any local port (the other relay, the emulator);
  // the other relay, on another origin, lets the app's origin in.
  appRelay = await startRelay({ ...common, cspConnectSrc: ['http://127.0.0.1:*'], appDir });
  otherRelay = await startRelay({ ...common, origins: [appRelay.url] });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await appRelay?.close();
  await otherRelay?.close();
  await emulator?.close();
  if (appDir) await rm(appDir, { recursive: true, force: true });
});

describe('the relay in a real browser', () => {
  it('lets the page read Job-Status and Range through the relay, which GitLab-like CORS hides', async () => {
    const project = insertProject(emulator.state);
    const pipeline = insertPipeline(emulator.state, project.id, { status: 'running' });
    const job = insertJob(emulator.state, pipeline, { status: 'running', startedAt: Date.now() });
    const query = new URLSearchParams({
      upstream: new URL(emulator.url).host,
      job: String(job.id),
      token: job.token,
      otherRelay: otherRelay.url,
    });
    const page = await browser.newPage();
    try {
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const response = await page.goto(`${appRelay.url}/?${query.toString()}`);
      expect(response?.headers()['cross-origin-embedder-policy']).toBe('require-corp');
      expect(response?.headers()['content-security-policy']).toContain("connect-src 'self'");
      await page.waitForFunction(() => (document.getElementById('out')?.textContent ?? '') !== '');
      const result = JSON.parse((await page.textContent('#out')) ?? '{}') as {
        isolated: boolean;
        sameOrigin: Patched;
        crossOrigin: Patched;
        direct: Patched;
        error?: string;
      };
      expect(errors).toEqual([]);
      expect(result.error).toBeUndefined();
      // COOP + COEP made the page cross-origin isolated, as WebContainer needs.
      expect(result.isolated).toBe(true);
      expect(result.sameOrigin).toEqual({ status: 202, jobStatus: 'running', range: '0-5' });
      expect(result.crossOrigin).toEqual({ status: 202, jobStatus: 'running', range: '0-10' });
      // GitLab's CORS lets the request through but hides the runner headers from the script.
      expect(result.direct).toEqual({ status: 202, jobStatus: null, range: null });
    } finally {
      await page.close();
    }
  }, 60_000);
});
