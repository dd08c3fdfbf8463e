/**
 * Archiving and restoring `node_modules`-sized trees (about 5,000 files / 50 MB), side by side
 * with native `zip -r` and `unzip` of the same files and the same archive, in one run:
 *
 * - archive: `collectArtifactFiles` → `createArtifactArchive` from the shell executor's
 *   workspace (what jobs use in the CLI and the tab), with fflate's deflate (the tab) and
 *   node:zlib's (the CLI's `zlibRawDeflater`), against `zip -r -5` of the same files on disk;
 *   resident memory while archiving, against the largest file.
 * - restore: `restoreCache` of that archive, handed over as a `Blob` as the cache store does
 *   (all or nothing: every entry checked, then one write), into a fresh shell workspace, in
 *   Node with node:zlib's inflater (the CLI's `zlibRawInflater`) and in Chromium with fflate's
 *   (the tab), against `unzip` of the same archive into an empty directory.
 * - upload: collect + zip + POST to the emulator, the archive spooled to a temp file as the CLI
 *   does (`createFileSpool`).
 *
 * A benchmark, not a test: it reports, it does not assert. Each timing is the best of `runs`,
 * the contenders taking turns so load on the machine hits them alike.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { startEmulator } from '../emulator/index.ts';
import {
  insertJob,
  insertPipeline,
  insertProject,
  requestJob,
} from '../emulator/test-support/index.ts';
import { concatBytes } from '../src/bytes/index.ts';
import { createGitLabClient } from '../src/gitlab/index.ts';
import {
  collectArtifactFiles,
  createArtifactArchive,
  planArtifactUploads,
  uploadArtifacts,
  type RawDeflater,
} from '../src/artifacts/index.ts';
import { restoreCache } from '../src/cache/index.ts';
import { createShellExecutor, type TreeFile, type Workspace } from '../src/executors/index.ts';
import { createFileSpool } from '../src/cli/file-spool.ts';
import { zlibRawDeflater } from '../src/cli/zlib-raw-deflater.ts';
import { zlibRawInflater } from '../src/cli/zlib-raw-inflater.ts';
import { servePage } from '../test/browser/sources-bundle.ts';
import { launchChromium } from '../test/support/chromium.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PROJECT = '/builds/bench/project';
const MB = 1024 * 1024;

/** A measured time, or why it was not measured. */
export type Timing = { ms: number } | { skipped: string };

export interface ArtifactsBenchResult {
  files: number;
  /** Input bytes archived. */
  bytes: number;
  /** Size of the archive the restore rows extract (ours, node:zlib). */
  archiveBytes: number;
  /** Largest single file, the bound peak memory should follow. */
  largestFileMb: number;
  archive: { fflate: Timing; zlib: Timing; zip: Timing };
  /** Resident set size above the baseline at its highest while archiving (node:zlib). */
  archivePeakRssMb: number;
  restore: { node: Timing; chromium: Timing; unzip: Timing };
  /** Collect + zip + POST to the emulator, archive spooled to a file; RSS above baseline. */
  upload: { ms: number; peakRssMb: number } | null;
}

export interface ArtifactsBenchOptions {
  files?: number;
  totalBytes?: number;
  /** Best of this many runs per contender. @default 2 */
  runs?: number;
  /** Also upload through `uploadArtifacts` to a local emulator. @default false */
  upload?: boolean;
  /** Include the Chromium restore (default: when /usr/bin/chromium exists). */
  browser?: boolean;
}

/** Build-output-like content: half text (compresses well), half noise (does not). */
function fileContent(index: number, size: number): Uint8Array {
  const data = new Uint8Array(size);
  const text = new TextEncoder().encode(
    `export function component${index}() { return "rendered ${index}"; }\n`,
  );
  let seed = index * 2654435761;
  for (let i = 0; i < size; i++) {
    if (i < size / 2) data[i] = text[i % text.length] ?? 0;
    else {
      seed = (seed * 1103515245 + 12345) >>> 0;
      data[i] = seed >>> 24;
    }
  }
  return data;
}

/** Why a native tool cannot run here, or null when it can. */
function missing(tool: string): string | null {
  const probe = spawnSync(tool, ['-v'], { stdio: 'ignore' });
  return probe.error ? `skipped: ${tool} is not installed (apt-get install -y zip unzip)` : null;
}

/** Best time of each contender, `runs` rounds in turn. */
async function bestOf<K extends string>(
  runs: number,
  contenders: Record<K, (() => Promise<void>) | string>,
): Promise<Record<K, Timing>> {
  const best = {} as Record<K, Timing>;
  for (let round = 0; round < runs; round++) {
    for (const key of Object.keys(contenders) as K[]) {
      const run = contenders[key];
      if (typeof run === 'string') {
        best[key] = { skipped: run };
        continue;
      }
      const started = performance.now();
      await run();
      const ms = performance.now() - started;
      const previous = best[key];
      if (!previous || !('ms' in previous) || ms < previous.ms) best[key] = { ms };
    }
  }
  return best;
}

async function shellWorkspace(files: TreeFile[]): Promise<{
  workspace: Workspace;
  dispose: () => Promise<void>;
}> {
  const executor = createShellExecutor();
  const workspace = await executor.prepare({ files }, { projectDir: PROJECT, env: {} });
  return {
    workspace,
    dispose: async () => {
      await workspace.dispose();
      await executor.dispose();
    },
  };
}

const artifact = { paths: ['dist/'], exclude: [], untracked: false };
const expand = (value: string): string => value;

/** Collect and zip from the workspace, the bytes kept only when asked. */
async function archiveOnce(
  workspace: Workspace,
  deflater: RawDeflater | undefined,
  keep: Uint8Array[] | null,
  sample: () => void,
): Promise<void> {
  const { files } = await collectArtifactFiles({
    workspace,
    projectDir: PROJECT,
    artifact,
    expand,
  });
  const stream = createArtifactArchive({
    workspace,
    projectDir: PROJECT,
    files,
    format: 'zip',
    ...(deflater ? { deflater } : {}),
  });
  for await (const chunk of stream) {
    keep?.push(chunk);
    sample();
  }
}

export async function benchArtifacts(
  options: ArtifactsBenchOptions = {},
): Promise<ArtifactsBenchResult> {
  const count = options.files ?? 5000;
  const size = Math.floor((options.totalBytes ?? 50 * MB) / count);
  const runs = options.runs ?? 2;
  const tree: TreeFile[] = [];
  for (let i = 0; i < count; i++) {
    tree.push({
      path: `dist/chunk-${Math.floor(i / 100)}/file-${i}.js`,
      data: fileContent(i, size),
    });
  }
  const bytes = tree.reduce((sum, file) => sum + file.data.byteLength, 0);
  const disk = await mkdtemp(join(tmpdir(), 'tabrunner-bench-artifacts-'));
  const source = await shellWorkspace(tree);
  try {
    for (const file of tree) {
      await mkdir(dirname(join(disk, 'tree', file.path)), { recursive: true });
      await writeFile(join(disk, 'tree', file.path), file.data);
    }

    // Archive: ours with each deflater against zip -r at the same level (5, GitLab's default).
    let baseline = process.memoryUsage.rss();
    let peak = baseline;
    const sample = () => {
      peak = Math.max(peak, process.memoryUsage.rss());
    };
    const zipMissing = missing('zip');
    const archive = await bestOf(runs, {
      fflate: () => archiveOnce(source.workspace, undefined, null, () => undefined),
      zlib: async () => {
        globalThis.gc?.();
        baseline = process.memoryUsage.rss();
        peak = baseline;
        await archiveOnce(source.workspace, zlibRawDeflater, null, sample);
      },
      zip:
        zipMissing ??
        (async () => {
          await rm(join(disk, 'native.zip'), { force: true });
          execFileSync('zip', ['-r', '-5', '-q', '-X', join(disk, 'native.zip'), 'dist'], {
            cwd: join(disk, 'tree'),
          });
        }),
    });
    const archivePeakRssMb = (peak - baseline) / MB;
    const kept: Uint8Array[] = [];
    await archiveOnce(source.workspace, zlibRawDeflater, kept, () => undefined);
    const zipped = concatBytes(kept);
    kept.length = 0;
    await writeFile(join(disk, 'ours.zip'), zipped);

    // Restore: the same archive, as a Blob, into a fresh workspace; unzip into an empty dir.
    const unzipMissing = missing('unzip');
    const blob = new Blob([new Uint8Array(zipped)]);
    const restore = await bestOf(runs, {
      node: async () => {
        const target = await shellWorkspace([]);
        try {
          await restoreOnce(target.workspace, blob);
        } finally {
          await target.dispose();
        }
      },
      unzip:
        unzipMissing ??
        (async () => {
          await rm(join(disk, 'unzipped'), { recursive: true, force: true });
          execFileSync('unzip', ['-q', '-o', join(disk, 'ours.zip'), '-d', join(disk, 'unzipped')]);
        }),
    });
    const useBrowser = options.browser ?? existsSync('/usr/bin/chromium');
    const chromium: Timing = useBrowser
      ? await restoreInChromium(disk, runs)
      : { skipped: 'skipped: no Chromium at /usr/bin/chromium' };

    const upload = options.upload ? await uploadOnce(source.workspace) : null;
    return {
      files: count,
      bytes,
      archiveBytes: zipped.byteLength,
      largestFileMb: size / MB,
      archive,
      archivePeakRssMb,
      restore: { node: restore.node, chromium, unzip: restore.unzip },
      upload,
    };
  } finally {
    await source.dispose();
    await rm(disk, { recursive: true, force: true });
  }
}

/** Collect, zip and POST to an in-process emulator, the archive spooled to a file. */
async function uploadOnce(workspace: Workspace): Promise<{ ms: number; peakRssMb: number }> {
  const emulator = await startEmulator({ longPollSeconds: 0, artifactSizeLimit: 1024 ** 3 });
  const spool = await createFileSpool();
  globalThis.gc?.();
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  try {
    const project = insertProject(emulator.state);
    const pipeline = insertPipeline(emulator.state, project.id);
    const job = insertJob(emulator.state, pipeline, { name: 'build' });
    await requestJob(emulator.url, emulator.createRunner().token);
    const entries = [
      {
        name: '',
        ...artifact,
        when: '',
        artifact_type: 'archive',
        artifact_format: 'zip',
        expire_in: '',
      },
    ];
    const started = performance.now();
    const result = await uploadArtifacts({
      client: createGitLabClient({ url: emulator.url }),
      jobId: job.id,
      jobToken: job.token,
      entries: planArtifactUploads(entries, 'success', expand)?.uploads ?? [],
      workspace,
      projectDir: PROJECT,
      expand,
      line: () => undefined,
      deflater: zlibRawDeflater,
      spool: (archive) => spool.spool(archive),
    });
    const ms = performance.now() - started;
    if (result.failure) throw result.failure;
    return { ms, peakRssMb: (peak - baseline) / MB };
  } finally {
    clearInterval(timer);
    await spool.dispose();
    await emulator.close();
  }
}

/**
 * What a CLI job's `restore_cache` does with the archive (node:zlib's inflater, trace lines
 * dropped); throws on a miss.
 */
async function restoreOnce(workspace: Workspace, archive: Blob): Promise<void> {
  const restored = await restoreCache({
    store: { open: async () => archive },
    project: { gitlab: 'https://gitlab.example.com', projectId: 1 },
    keys: ['bench'],
    workspace,
    projectDir: PROJECT,
    line: () => undefined,
    clock: performance,
    inflater: zlibRawInflater,
  });
  if (restored.key === null) throw new Error('the bench archive did not restore');
}

/**
 * just-bash's browser build imports node:zlib for its gzip commands, which the restore never
 * runs; an empty module stands in, as Vite's does for the app.
 */
const nodeZlibStub: Plugin = {
  name: 'node-zlib-stub',
  setup(b) {
    b.onResolve({ filter: /^node:zlib$/ }, () => ({ path: 'node:zlib', namespace: 'stub' }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents:
        'const none = () => { throw new Error("no zlib in the browser"); };\n' +
        'export const constants = {}; export const gunzipSync = none; export const gzipSync = none;',
      loader: 'js',
    }));
  },
};

const PAGE = `
import { restoreCache } from './src/cache/index.ts';
import { createShellExecutor } from './src/executors/index.ts';
window.restoreBench = async (runs) => {
  const archive = await (await fetch('./ours.zip')).blob();
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const executor = createShellExecutor();
    const workspace = await executor.prepare({ files: [] }, { projectDir: '${PROJECT}', env: {} });
    const started = performance.now();
    const restored = await restoreCache({
      store: { open: async () => archive },
      project: { gitlab: 'https://gitlab.example.com', projectId: 1 },
      keys: ['bench'],
      workspace,
      projectDir: '${PROJECT}',
      line: () => undefined,
      clock: performance,
    });
    if (restored.key === null) throw new Error('the bench archive did not restore');
    best = Math.min(best, performance.now() - started);
    await workspace.dispose();
    await executor.dispose();
  }
  return best;
};
`;

/** The same restore in Debian's Chromium: the archive fetched as a Blob, extracted in the page. */
async function restoreInChromium(disk: string, runs: number): Promise<Timing> {
  const www = join(disk, 'www');
  await build({
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
    plugins: [nodeZlibStub],
    stdin: { contents: PAGE, loader: 'ts', resolveDir: REPO },
    outfile: join(www, 'page.js'),
  });
  await writeFile(
    join(www, 'index.html'),
    '<!doctype html><meta charset="utf-8"><script type="module" src="./page.js"></script>',
  );
  execFileSync('cp', [join(disk, 'ours.zip'), join(www, 'ours.zip')]);
  const served = await servePage(www);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(served.url);
    await page.waitForFunction(() => 'restoreBench' in window, undefined, { timeout: 30_000 });
    const ms = await page.evaluate(
      (n) => (window as unknown as { restoreBench(n: number): Promise<number> }).restoreBench(n),
      runs,
    );
    return { ms };
  } finally {
    await browser.close();
    await new Promise<void>((done) => served.server.close(() => done()));
  }
}

/** Table rows: each of ours next to its native counterpart, with the ratio and the goal. */
export function artifactsRows(
  r: ArtifactsBenchResult,
): { measure: string; value: string; goal: string }[] {
  const mb = r.bytes / MB;
  const what = `${r.files} files / ${mb.toFixed(0)} MB`;
  const shown = (t: Timing): string =>
    'ms' in t ? `${Math.round(t.ms)} ms (${(mb / (t.ms / 1000)).toFixed(1)} MB/s)` : t.skipped;
  const ratio = (ours: Timing, native: Timing): string =>
    'ms' in ours && 'ms' in native ? `, ${(ours.ms / native.ms).toFixed(2)}× native` : '';
  const rows = [
    {
      measure: `archive ${what}, zip -r -5 (native)`,
      value: shown(r.archive.zip),
      goal: '',
    },
    {
      measure: 'archive, level 5, fflate deflate (the tab)',
      value: shown(r.archive.fflate) + ratio(r.archive.fflate, r.archive.zip),
      goal: '≤ 2× native time',
    },
    {
      measure: 'archive, level 5, node:zlib deflate (the CLI)',
      value: shown(r.archive.zlib) + ratio(r.archive.zlib, r.archive.zip),
      goal: '≤ 2× native time',
    },
    {
      measure: `archive peak RSS above baseline (largest file ${r.largestFileMb.toFixed(2)} MB)`,
      value: `${r.archivePeakRssMb.toFixed(0)} MB`,
      goal: 'largest file + a fixed buffer, not the archive',
    },
    {
      measure: `restore ${(r.archiveBytes / MB).toFixed(0)} MB archive, unzip (native)`,
      value: shown(r.restore.unzip),
      goal: '',
    },
    {
      measure: 'restore_cache from a Blob into the shell sandbox, Node (node:zlib, the CLI)',
      value: shown(r.restore.node) + ratio(r.restore.node, r.restore.unzip),
      goal: '≤ 1.5× native',
    },
    {
      measure: 'restore_cache from a Blob into the shell sandbox, Chromium (fflate, the tab)',
      value: shown(r.restore.chromium) + ratio(r.restore.chromium, r.restore.unzip),
      goal: '≤ 3× native',
    },
  ];
  if (r.upload) {
    rows.push({
      measure: 'upload: collect + zip (node:zlib) + POST, spooled to a file',
      value: `${Math.round(r.upload.ms)} ms, peak RSS ${r.upload.peakRssMb.toFixed(0)} MB above baseline (emulator in-process)`,
      goal: '',
    });
  }
  return rows;
}
