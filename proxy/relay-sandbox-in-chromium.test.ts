import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, launchChromium } from '../test/support/chromium.ts';
import { startRelay, type RunningRelay } from './node.ts';
import { startUpstream, type TestUpstream } from './testing/upstream.ts';

/**
 * What an upstream answer can do to the app when it is opened as a page on the relay's origin
 * (the app and the relay share it): run script next to the tokens the app keeps in IndexedDB,
 * or wipe them with `Clear-Site-Data`. Proven in a real Chromium.
 */

const TOKEN = 'glrt-KeptInIndexedDb01';

/** Runs as soon as it is parsed, so `load` means it has run, if it may run at all. */
const HOSTILE_HTML = `<!doctype html><p id="out">inert</p>
<script>document.getElementById('out').textContent = 'ran on ' + self.origin;</script>`;

let appDir: string;
let upstream: TestUpstream;
let relay: RunningRelay;
let browser: Browser;

/** Page loads fail well inside each test's 30 s, naming the page rather than the test. */
const PAGE_LOAD = { timeout: 10_000 };

beforeAll(async () => {
  // Said before anything starts, rather than as a launch error or a hook timeout.
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing: install Debian's chromium: apt-get install -y chromium`,
    );
  }
  appDir = await mkdtemp(join(tmpdir(), 'tabrunner-relay-sandbox-'));
  await writeFile(join(appDir, 'index.html'), '<!doctype html><title>app</title>');
  upstream = await startUpstream({
    '/api/v4/jobs/page': (_req, res) => {
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        // The upstream's own CSP would let inline script run; the relay's must win.
        'Content-Security-Policy': "script-src 'unsafe-inline'",
      });
      res.end(HOSTILE_HTML);
    },
    '/api/v4/jobs/sniffed': (_req, res) => {
      // No Content-Type: a browser that sniffs would render this as HTML.
      res.writeHead(200);
      res.end(HOSTILE_HTML);
    },
    '/api/v4/jobs/clear': (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Clear-Site-Data': '"storage"' });
      res.end('cleared');
    },
  });
  relay = await startRelay({
    port: 0,
    upstreams: [upstream.url],
    allowPrivate: [upstream.host],
    appDir,
    log: () => undefined,
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await relay?.close();
  await upstream?.close();
  if (appDir) await rm(appDir, { recursive: true, force: true });
});

/** Stores the token in the app origin's IndexedDB, as the app's settings do. */
async function saveToken(page: Page): Promise<void> {
  await page.goto(`${relay.url}/`, PAGE_LOAD);
  await page.evaluate(
    (token) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('tabrunner-test', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('settings');
        open.onerror = () => reject(open.error ?? new Error('open failed'));
        open.onsuccess = () => {
          const tx = open.result.transaction('settings', 'readwrite');
          tx.objectStore('settings').put(token, 'token');
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error ?? new Error('put failed'));
        };
      }),
    TOKEN,
  );
}

/** Reads the token back on the app's page; null when the store is gone. */
async function readToken(page: Page): Promise<string | null> {
  await page.goto(`${relay.url}/`, PAGE_LOAD);
  return page.evaluate(
    () =>
      new Promise<string | null>((resolve, reject) => {
        const open = indexedDB.open('tabrunner-test', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('settings');
        open.onerror = () => reject(open.error ?? new Error('open failed'));
        open.onsuccess = () => {
          const get = open.result.transaction('settings').objectStore('settings').get('token');
          get.onsuccess = () => {
            open.result.close();
            resolve(typeof get.result === 'string' ? get.result : null);
          };
          get.onerror = () => reject(get.error ?? new Error('get failed'));
        };
      }),
  );
}

describe('relayed answers opened in a browser', () => {
  it.each([
    ['an HTML answer', '/api/v4/jobs/page'],
    ['an answer without Content-Type', '/api/v4/jobs/sniffed'],
  ])(
    '%s runs no script and gets no origin of its own',
    async (_name, path) => {
      const page = await browser.newPage();
      try {
        await page.goto(`${relay.url}/gitlab/${upstream.host}${path}`, PAGE_LOAD);
        const out = await page.evaluate(() => document.getElementById('out')?.textContent ?? null);
        // Sniffed as text, there is no #out at all; as a sandboxed page, the script never ran.
        expect(out === null || out === 'inert').toBe(true);
        expect(await page.evaluate(() => self.origin)).toBe('null');
      } finally {
        await page.close();
      }
    },
    30_000,
  );

  it("cannot wipe the app's saved tokens with Clear-Site-Data", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await saveToken(page);
      expect(await readToken(page)).toBe(TOKEN);
      const cleared = await page.goto(
        `${relay.url}/gitlab/${upstream.host}/api/v4/jobs/clear`,
        PAGE_LOAD,
      );
      expect(cleared?.status()).toBe(200);
      expect(await readToken(page)).toBe(TOKEN);
    } finally {
      await context.close();
    }
  }, 30_000);

  it('still lets the app page, cross-origin isolated, read relayed answers', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${relay.url}/`, PAGE_LOAD);
      const result = await page.evaluate(async (path) => {
        const response = await fetch(path);
        return { isolated: self.crossOriginIsolated, status: response.status };
      }, `/gitlab/${upstream.host}/api/v4/jobs/1`);
      expect(result).toEqual({ isolated: true, status: 200 });
    } finally {
      await page.close();
    }
  }, 30_000);
});
