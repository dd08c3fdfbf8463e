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
import { join } from 'node:path';
import { REPO_ROOT, runInIsolatedPage } from './webcontainer-page.ts';

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

/** Runs in the page: mount through the adapter, then time each way out. */
const PAGE = `
import { WebContainer } from '@webcontainer/api';
import { createWebContainerExecutor } from ${JSON.stringify(join(REPO_ROOT, 'src/executors/webcontainer/index.ts'))};

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
  const info = await executor.describe();
  const projectDir = info.buildsDir + '/bench/project';
  let started = performance.now();
  const workspace = await executor.prepare(tree, { projectDir, env: {} });
  const mountMs = performance.now() - started;
  const dist = projectDir.slice(container.workdir.length + 1) + '/dist';

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

export async function benchWebContainerExport(
  options: WebContainerExportBenchOptions = {},
): Promise<WebContainerExportBenchResult> {
  const measured = await runInIsolatedPage<
    { files: number; totalBytes: number },
    { files: number; bytes: number; mountMs: number; rows: Omit<WebContainerExportRow, 'ratio'>[] }
  >(PAGE, { files: options.files ?? 5000, totalBytes: options.totalBytes ?? 50 * 1024 * 1024 });
  if ('skipped' in measured) return measured;
  const base = measured.rows.find((r) => r.name.startsWith('Workspace'))?.ms ?? NaN;
  return { ...measured, rows: measured.rows.map((r) => ({ ...r, ratio: r.ms / base })) };
}
