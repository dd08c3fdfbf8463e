/**
 * For the WebContainer benchmarks: bundle a script for a page, serve it cross-origin isolated
 * (as the relay serves the app; WebContainer needs it), open it in Debian's Chromium and call
 * its `window.bench(args)`. WebContainer loads its runtime from stackblitz.com, so this runs
 * only with `TABRUNNER_INTERNET=1`; otherwise it answers `{ skipped }` and measures nothing.
 */
import { build, type Plugin } from 'esbuild';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../test/support/chromium.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const SKIPPED_OFFLINE =
  'skipped (offline): WebContainer loads from stackblitz.com; set TABRUNNER_INTERNET=1 to run it';

/**
 * just-bash's browser build imports node:zlib for its gzip commands, which the benchmarks never
 * run; Vite swaps in an empty module for the app, and this does the same for esbuild.
 */
const nodeZlibStub: Plugin = {
  name: 'node-zlib-stub',
  setup(build) {
    build.onResolve({ filter: /^node:zlib$/ }, () => ({ path: 'node:zlib', namespace: 'stub' }));
    build.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents:
        'const none = () => { throw new Error("no zlib in the browser"); };\n' +
        'export const constants = {}; export const gunzipSync = none; export const gzipSync = none;',
      loader: 'js',
    }));
  },
};

/** How long one page's benchmark may take, boot included, before it counts as hung. */
export const BENCH_DEADLINE_MS = 10 * 60_000;

/**
 * `source` must define `window.bench = async (args) => result`. Rejects with what went wrong:
 * the page's own errors and console output are printed as they happen, and a page that gives
 * no result within `deadlineMs` (WebContainer's boot waits on stackblitz.com) is given up.
 */
export async function runInIsolatedPage<A, R>(
  source: string,
  args: A,
  deadlineMs = BENCH_DEADLINE_MS,
): Promise<R | { skipped: string }> {
  if (process.env['TABRUNNER_INTERNET'] !== '1') return { skipped: SKIPPED_OFFLINE };
  let dir: string | undefined;
  let browser: Browser | undefined;
  let server: Server | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    dir = await mkdtemp(join(tmpdir(), 'tabrunner-wc-bench-'));
    browser = await launchChromium();
    await build({
      stdin: { contents: source, loader: 'js', resolveDir: REPO_ROOT },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      define: { __WEBCONTAINER_API_VERSION__: 'undefined' },
      plugins: [nodeZlibStub],
      outfile: join(dir, 'page.js'),
      logLevel: 'silent',
    });
    await writeFile(
      join(dir, 'index.html'),
      '<!doctype html><meta charset="utf-8"><title>bench</title><script type="module" src="./page.js"></script>',
    );
    const served = await serveIsolated(dir);
    server = served.server;
    const page = await browser.newPage();
    // What the page reports would otherwise be lost: a script that failed to load leaves only a
    // timeout, and WebContainer's boot problems show up on its console.
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => {
      pageErrors.push(err.message);
      console.error(`[bench page] uncaught: ${err.message}`);
    });
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning')
        console.error(`[bench page] ${message.type()}: ${message.text()}`);
    });
    const seconds = Math.round(deadlineMs / 1000);
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `WebContainer bench gave no result in ${seconds} s; is stackblitz.com reachable?` +
                (pageErrors.length > 0 ? ` The page said: ${pageErrors.join('; ')}` : ''),
            ),
          ),
        deadlineMs,
      );
    });
    const measured = (async () => {
      await page.goto(served.url);
      await page
        .waitForFunction(() => 'bench' in window, undefined, { timeout: 30_000 })
        .catch((err: unknown) => {
          const why = pageErrors.length > 0 ? pageErrors.join('; ') : String(err);
          throw new Error(`The bench page did not load: ${why}`, { cause: err });
        });
      return page.evaluate(
        (a) => (window as unknown as { bench(a: unknown): Promise<R> }).bench(a),
        args as unknown,
      );
    })();
    // The browser is closed below either way, which ends whichever of the two is still going.
    measured.catch(() => undefined);
    return await Promise.race([measured, late]);
  } finally {
    clearTimeout(timer);
    await browser?.close();
    server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

async function serveIsolated(dir: string): Promise<{ server: Server; url: string }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };
  const server = createServer((req, res) => {
    const name = new URL(req.url ?? '/', 'http://x').pathname.slice(1) || 'index.html';
    readFile(join(dir, name.replace(/\.\./g, ''))).then(
      (body) => {
        res.writeHead(200, {
          'content-type': types[extname(name)] ?? 'application/octet-stream',
          'cross-origin-opener-policy': 'same-origin',
          'cross-origin-embedder-policy': 'require-corp',
        });
        res.end(body);
      },
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}
