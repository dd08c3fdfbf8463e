/**
 * The sources Worker's size, gzipped (level 9), side by side with the Worker of commit
 * `BEFORE`, the last one that used isomorphic-git to write the store (its UMD build and a
 * `Buffer` polyfill travelled with the Worker for five small files; src/sources/store/
 * bare-repository.ts writes them now). Both are bundled by esbuild as the browser test bundles
 * the Worker (test/browser/sources-bundle.ts); the older one from `git archive` of that commit,
 * with this checkout's node_modules. Without git or that commit (a shallow clone) the row says
 * so instead of a ratio.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { buildSourcesWorker, isomorphicGitUmd } from '../test/browser/sources-bundle.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The commit before the store's files were written without isomorphic-git. */
const BEFORE = '2468532c13d2e80a0b9c8ce1be35807cd6ec1ea6';

export interface WorkerSize {
  bytes: number;
  gzipBytes: number;
}

export interface WorkerSizeResult {
  now: WorkerSize;
  /** The Worker of `BEFORE`, or why it could not be built. */
  before: WorkerSize | { skipped: string };
}

async function measureFile(path: string): Promise<WorkerSize> {
  const bytes = await readFile(path);
  return { bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
}

async function buildBefore(dir: string): Promise<WorkerSize | { skipped: string }> {
  const tree = join(dir, 'before');
  await mkdir(tree);
  try {
    await run(
      'sh',
      ['-c', `git -C "$1" archive "$2" src | tar -x -C "$3"`, 'sh', ROOT, BEFORE, tree],
      { timeout: 60_000 },
    );
  } catch (err) {
    return { skipped: `no ${BEFORE.slice(0, 7)} to compare with: ${(err as Error).message}` };
  }
  await buildSourcesWorker(join(dir, 'before.js'), {
    entry: join(tree, 'src/sources/worker/worker.ts'),
    plugins: [isomorphicGitUmd],
    nodePaths: [join(ROOT, 'node_modules')],
  });
  return measureFile(join(dir, 'before.js'));
}

/** Bundle both Workers and measure them. */
export async function benchWorkerSize(): Promise<WorkerSizeResult> {
  const dir = await mkdtemp(join(tmpdir(), 'tabrunner-worker-size-'));
  try {
    await buildSourcesWorker(join(dir, 'now.js'));
    return { now: await measureFile(join(dir, 'now.js')), before: await buildBefore(dir) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The table row for bench/index.ts. */
export function workerSizeRows(
  result: WorkerSizeResult,
): { measure: string; value: string; goal: string }[] {
  const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
  const { now, before } = result;
  return [
    {
      measure: `sources Worker JS gzipped, now vs ${BEFORE.slice(0, 7)} (isomorphic-git wrote the store)`,
      value:
        'skipped' in before
          ? `${kB(now.gzipBytes)} (${before.skipped})`
          : `${kB(now.gzipBytes)} vs ${kB(before.gzipBytes)} (ratio ${(now.gzipBytes / before.gzipBytes).toFixed(2)})`,
      goal: '',
    },
  ];
}
