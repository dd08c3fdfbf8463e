/**
 * Issue 8: should artifacts leave a WebContainer through its own `export()` or, as today, file
 * by file through the adapter's `Workspace` (`listFiles` + `readFile`)? About 5,000 files /
 * 50 MB are mounted through the real adapter (`createWebContainerExecutor().prepare`) in
 * Debian's Chromium, on a cross-origin isolated page, then read back three ways, side by side
 * in one page: `export(dir, { format: 'zip' })`, `export(dir, { format: 'binary' })`, and
 * `listFiles` + one `readFile` per file. A benchmark, not a test: it reports, it does not assert.
 *
 * WebContainer loads its runtime from stackblitz.com, so this runs only with
 * `TABRUNNER_INTERNET=1`; otherwise it says so and measures nothing.
 */
import { build } from 'esbuild';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../test/support/chromium.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface WebContainerExportBenchOptions {
  files?: number;
  totalBytes?: number;
}

export interface WebContainerExportRow {
  name: string;
  ms: number;
  /** Bytes that came out: the archive for `export`, the file contents for the workspace. */
  bytes: number;
  /** This row's time over the workspace row's. */
  ratio: number;
}

export type WebContainerExportBenchResult =
  | { skipped: string }
  | { files: number; bytes: number; mountMs: number; rows: WebContainerExportRow[] };

const SKIP_REASON =
  'needs internet (WebContainer loads from stackblitz.com): set TABRUNNER_INTERNET=1 to run it';

/** Runs in the page: mount through the adapter, then time each way out. */
const PAGE = `
import { WebContainer } from '@webcontainer/api';
import { createWebContainerExecutor } from ${JSON.stringify(join(repoRoot, 'src/executors/webcontainer/index.ts'))};

/** Build-output-like content: half text (compresses well), half noise (does not). */
function content(index, size) {
  const data = new Uint8Array(size);
  const text = new TextEncoder().encode('export function component' + index + '() { return ' + index + '; }\\n');
  let seed = (index * 2654435761) >>> 0;
  for (let i = 0; i < size; i++) {
    if (i < size / 2) data[i] = text[i % text.length];
    else { seed = (seed * 1103515245 + 12345) >>> 0; data[i] = seed >>> 24; }
  }
  return data;
}

window.bench = async ({ files, totalBytes }) => {
  let container;
  // The adapter boots through this, so the same instance can be asked for export() below.
  const executor = createWebContainerExecutor({
    api: async () => ({
      boot: async (options) => (container = await WebContainer.boot(options)),
      configureAPIKey: () => {},
    }),
  });
  const size = Math.floor(totalBytes / files);
  const tree = { files: [] };
  for (let i = 0; i < files; i++) {
    tree.files.push({ path: 'dist/chunk-' + Math.floor(i / 100) + '/file-' + i + '.js', data: content(i, size) });
  }
  const projectDir = '/builds/bench/project';
  let started = performance.now();
  const workspace = await executor.prepare(tree, { projectDir, env: {} });
  const mountMs = performance.now() - started;

  // Where the adapter put the project, as a path under the container's workdir.
  const session = await workspace.openSession();
  let printed = '';
  await session.run({ command: 'pwd' }, (chunk) => (printed += new TextDecoder().decode(chunk)), new AbortController().signal);
  const absolute = printed.replace(/\\x1b\\[[0-9;?]*[A-Za-z]/g, '').trim();
  const dist = absolute.slice(container.workdir.length + 1) + '/dist';

  const rows = [];
  started = performance.now();
  const zip = await container.export(dist, { format: 'zip' });
  rows.push({ name: "export(dist, { format: 'zip' })", ms: performance.now() - started, bytes: zip.byteLength });
  started = performance.now();
  const binary = await container.export(dist, { format: 'binary' });
  rows.push({ name: "export(dist, { format: 'binary' })", ms: performance.now() - started, bytes: binary.byteLength });
  started = performance.now();
  let read = 0;
  const paths = await workspace.listFiles(projectDir + '/dist');
  for (const path of paths) read += (await workspace.readFile(path)).byteLength;
  rows.push({ name: 'Workspace listFiles + readFile each', ms: performance.now() - started, bytes: read });

  await workspace.dispose();
  await executor.dispose();
  return { files: paths.length, bytes: read, mountMs, rows };
};
`;

async function buildPage(outdir: string): Promise<void> {
  await build({
    stdin: { contents: PAGE, loader: 'js', resolveDir: repoRoot },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: join(outdir, 'page.js'),
    logLevel: 'silent',
  });
  await writeFile(
    join(outdir, 'index.html'),
    '<!doctype html><meta charset="utf-8"><title>webcontainer export</title><script type="module" src="./page.js"></script>',
  );
}

/** Serve `dir` cross-origin isolated, as the relay serves the app (WebContainer needs it). */
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

export async function benchWebContainerExport(
  options: WebContainerExportBenchOptions = {},
): Promise<WebContainerExportBenchResult> {
  if (process.env['TABRUNNER_INTERNET'] !== '1') return { skipped: SKIP_REASON };
  const dir = await mkdtemp(join(tmpdir(), 'tabrunner-wc-export-'));
  const browser = await launchChromium();
  let server: Server | undefined;
  try {
    await buildPage(dir);
    const served = await serveIsolated(dir);
    server = served.server;
    const page = await browser.newPage();
    await page.goto(served.url);
    await page.waitForFunction(() => 'bench' in window);
    const measured = await page.evaluate(
      (args) =>
        (
          window as unknown as {
            bench(a: typeof args): Promise<{
              files: number;
              bytes: number;
              mountMs: number;
              rows: Omit<WebContainerExportRow, 'ratio'>[];
            }>;
          }
        ).bench(args),
      { files: options.files ?? 5000, totalBytes: options.totalBytes ?? 50 * 1024 * 1024 },
    );
    const base = measured.rows.find((r) => r.name.startsWith('Workspace'))?.ms ?? NaN;
    return { ...measured, rows: measured.rows.map((r) => ({ ...r, ratio: r.ms / base })) };
  } finally {
    await browser.close();
    server?.close();
    await rm(dir, { recursive: true, force: true });
  }
}
