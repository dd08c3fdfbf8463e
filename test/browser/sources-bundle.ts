/**
 * Builds the sources Worker and a tiny test page with esbuild into a temp dir, for the browser
 * test and the Chromium benchmark. The Worker has no isomorphic-git in it but its web HTTP
 * client; the page brings isomorphic-git as a reader, to check that the IndexedDB store is a
 * repository it can read. It takes isomorphic-git's UMD build, which bundles the `buffer` its
 * dependencies import, and a global `Buffer` (test/support/buffer-polyfill.ts), which
 * isomorphic-git's own code calls.
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

/** Exactly `isomorphic-git` → its UMD build. */
export const isomorphicGitUmd: Plugin = {
  name: 'isomorphic-git-umd',
  setup(b) {
    b.onResolve({ filter: /^isomorphic-git$/ }, () => ({ path: umd }));
  },
};

/** How the Worker and the page are bundled: ES modules for Chromium, as Vite builds the app. */
const COMMON = {
  bundle: true,
  format: 'esm' as const,
  platform: 'browser' as const,
  target: 'es2022',
  logLevel: 'silent' as const,
  // lightning-fs's TextEncoder polyfill finds its global object through `global`.
  define: { global: 'globalThis' },
};

/**
 * Bundle the sources Worker whose entry is `entry` (default this checkout's) into `outfile`;
 * `plugins` for a Worker that needs more (bench/worker-size.bench.ts builds an older one).
 */
export async function buildSourcesWorker(
  outfile: string,
  options: { entry?: string; plugins?: Plugin[]; nodePaths?: string[] } = {},
): Promise<void> {
  await build({
    ...COMMON,
    entryPoints: [options.entry ?? join(repoRoot, 'src/sources/worker/worker.ts')],
    outfile,
    ...(options.plugins ? { plugins: options.plugins } : {}),
    ...(options.nodePaths ? { nodePaths: options.nodePaths } : {}),
  });
}

const PAGE = `
import { SourcesWorkerClient } from ${JSON.stringify(join(repoRoot, 'src/sources/worker/sources-worker-client.ts'))};
import FS from '@isomorphic-git/lightning-fs';
import { getConfig, readCommit, resolveRef } from 'isomorphic-git';
import { installBufferPolyfill } from ${JSON.stringify(join(repoRoot, 'test/support/buffer-polyfill.ts'))};
installBufferPolyfill();
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
  /** The stored project read by isomorphic-git, from the page's own lightning-fs (call once). */
  async readStore(project) {
    const fs = new FS('tabrunner-sources');
    const gitdir = '/projects/' + project;
    const head = await resolveRef({ fs, gitdir, ref: 'HEAD' });
    const { commit } = await readCommit({ fs, gitdir, oid: head });
    const url = await getConfig({ fs, gitdir, path: 'remote.origin.url' });
    return { head, message: commit.message, parents: commit.parent, url };
  },
};
`;

/** Write `index.html`, `page.js` and `worker.js` into `outdir`. */
export async function buildSourcesBundle(outdir: string): Promise<void> {
  await buildSourcesWorker(join(outdir, 'worker.js'));
  await build({
    ...COMMON,
    plugins: [isomorphicGitUmd],
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
