/**
 * Builds the sources Worker and a tiny test page with esbuild into a temp dir, for the browser
 * test and the Chromium benchmark. isomorphic-git's ESM build expects a global `Buffer`; browser
 * bundles alias it to its UMD build, which carries its own Buffer polyfill.
 */
import { build, type Plugin } from 'esbuild';
import { createRequire } from 'node:module';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');
const require = createRequire(import.meta.url);

const umd = join(dirname(require.resolve('isomorphic-git')), 'index.umd.min.js');

/** Exactly `isomorphic-git` → its UMD build (Buffer included); the app bundle needs the same. */
export const isomorphicGitUmd: Plugin = {
  name: 'isomorphic-git-umd',
  setup(b) {
    b.onResolve({ filter: /^isomorphic-git$/ }, () => ({ path: umd }));
  },
};

const PAGE = `
import { SourcesWorkerClient } from ${JSON.stringify(join(repoRoot, 'src/sources/worker/sources-worker-client.ts'))};
const client = new SourcesWorkerClient(new Worker('./worker.js', { type: 'module' }));
let busy = 0;
setInterval(() => { busy++; }, 10);
window.sources = {
  async run(options) {
    const lines = [];
    const phases = new Set();
    let maxBytes = 0;
    const ticksBefore = busy;
    const started = performance.now();
    const result = await client.getSources({
      ...options,
      onLine: (l) => lines.push(l),
      onProgress: (p) => { phases.add(p.phase); maxBytes = Math.max(maxBytes, p.bytes); },
    });
    const ms = performance.now() - started;
    const decoder = new TextDecoder();
    return {
      ms,
      commit: result.commit,
      stats: result.stats,
      lines,
      phases: [...phases],
      maxProgressBytes: maxBytes,
      pageTicks: busy - ticksBefore,
      files: (result.tree?.files ?? []).map((f) => ({ path: f.path, mode: f.mode, size: f.data.length, text: f.data.length < 200 ? decoder.decode(f.data) : '' })),
    };
  },
  async runError(options) {
    try { await client.getSources(options); return null; }
    catch (e) { return { code: e.code, message: e.message, data: e.data }; }
  },
  usage: () => client.usage(),
};
`;

/** Write `index.html`, `page.js` and `worker.js` into `outdir`. */
export async function buildSourcesBundle(outdir: string): Promise<void> {
  const common = {
    bundle: true,
    format: 'esm' as const,
    platform: 'browser' as const,
    target: 'es2022',
    plugins: [isomorphicGitUmd],
    logLevel: 'silent' as const,
    define: { global: 'globalThis' },
  };
  await build({
    ...common,
    entryPoints: [join(repoRoot, 'src/sources/worker/worker.ts')],
    outfile: join(outdir, 'worker.js'),
  });
  await build({
    ...common,
    stdin: { contents: PAGE, loader: 'js', resolveDir: repoRoot },
    outfile: join(outdir, 'page.js'),
  });
  await writeFile(
    join(outdir, 'index.html'),
    '<!doctype html><meta charset="utf-8"><title>sources</title><script type="module" src="./page.js"></script>',
  );
}

/** Serve the bundle's directory on 127.0.0.1, port 0. */
export async function servePage(dir: string): Promise<{ server: Server; url: string }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };
  const server = createServer((req, res) => {
    const name = new URL(req.url ?? '/', 'http://x').pathname.slice(1) || 'index.html';
    readFile(join(dir, name.replace(/\.\./g, ''))).then(
      (body) => {
        res.writeHead(200, { 'content-type': types[extname(name)] ?? 'application/octet-stream' });
        res.end(body);
      },
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}
