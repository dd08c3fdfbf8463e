/**
 * Sources benchmark: tabrunner's `getSources` against native `git` on the same repository from
 * the same local `git http-backend`, side by side in one run. For a small repository and a
 * generated one (~5,000 files, ~50 MB; generation is outside the timing) it measures:
 * - cold clone: native `git clone --depth 20 --single-branch` (with checkout to disk) vs
 *   `getSources` with `GIT_STRATEGY: clone`, depth 20 (tree built in memory), in Node and,
 *   when Chromium is available, in a Worker with the IndexedDB store;
 * - warm fetch of one new commit: native `git fetch --depth 20` of the new pipeline ref plus
 *   `git checkout -f`, vs `getSources` with `GIT_STRATEGY: fetch` on the kept store.
 * `ratio` is tabrunner / native for the same operation, and warm / cold for the `warm/cold` rows.
 * Goals: cold within 1.5× native in Node (issue 5) and in Chromium (issue 15; issue 5 had 3×);
 * warm under 20% of cold.
 *
 * Fairness: native git writes the checkout to disk, tabrunner builds it in memory, which is the
 * product's path (the tree goes to the executor). A cold clone uses `GIT_STRATEGY: clone`, which
 * also forgets the memory of earlier checkouts (and the page's held files), so it is cold in
 * that sense too; a warm fetch runs in the same process or Worker as the clone before it, which
 * is the warm case of a runner that keeps running. tabrunner Node shares its process (one
 * thread) with the git server's plumbing; native git runs beside it.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { git, startGitServer, type GitServer } from '../test/support/git-server.ts';
import { buildSourcesBundle, servePage } from '../test/browser/sources-bundle.ts';
import { getSources, type SourcesSettings } from '../src/sources/index.ts';
import { createNodeSourceStore, nodeHttp } from '../src/sources/node.ts';
import { launchChromium } from '../test/support/chromium.ts';

const run = promisify(execFile);
const TOKEN = 'glcbt-64_benchToken';
const DEPTH = 20;

export interface BenchRow {
  name: string;
  ms: number;
  ratio: number;
}

export interface SourcesBenchOptions {
  /** Include Chromium rows (default: when /usr/bin/chromium exists). */
  browser?: boolean;
  /** Files and approximate bytes of the generated large repository. */
  largeFiles?: number;
  largeBytes?: number;
  /** Repetitions per measurement for the small repository (the best is reported). */
  smallRuns?: number;
  /**
   * Repetitions for the generated one (the best is reported; default 3): one run of each side
   * is at the mercy of whatever else the shared machine does in that second.
   */
  largeRuns?: number;
}

export interface Repo {
  name: string;
  work: string;
  bare: string;
  pipeline: number;
  sha: string;
}

/**
 * Each side's best run. Not the median: on the shared 2-core machine consecutive native clones
 * of the 50 MB checkout slow down run after run (1.7, 2.4, 2.9, 3.6 s, with the old checkout
 * deleted and a pause before each), so a median would bill native git for the machine.
 */
function best(values: number[]): number {
  return values.length ? Math.min(...values) : 0;
}

/**
 * A pause before each measurement, so work one side leaves behind (IndexedDB compaction in
 * Chromium, a collector, a file system flush) is not billed to the next.
 */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1000));
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** Deterministic pseudo-random bytes (xorshift), incompressible like real binaries. */
function randomBytes(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed | 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export async function createRepo(
  root: string,
  name: string,
  files: number,
  bytes: number,
): Promise<Repo> {
  const work = join(root, 'work', name);
  const bare = join(root, 'repos', `${name}.git`);
  await mkdir(work, { recursive: true });
  await mkdir(bare, { recursive: true });
  git(bare, ['init', '-q', '--bare', '-b', 'main']);
  git(work, ['init', '-q', '-b', 'main']);
  const perFile = Math.max(64, Math.floor(bytes / files));
  for (let i = 0; i < files; i++) {
    const dir = join(work, `pkg${i % 50}`, `mod${i % 7}`);
    await mkdir(dir, { recursive: true });
    if (i % 2 === 0) {
      const line = `export const value${i} = ${i}; // ${'x'.repeat(40)}\n`;
      await writeFile(join(dir, `file${i}.js`), line.repeat(Math.ceil(perFile / line.length)));
    } else {
      await writeFile(join(dir, `blob${i}.bin`), randomBytes(perFile, i + 1));
    }
  }
  git(work, ['add', '-A']);
  git(work, ['commit', '-q', '-m', 'initial']);
  const sha = git(work, ['rev-parse', 'HEAD']);
  git(work, ['push', '-q', bare, 'main:refs/heads/main', `${sha}:refs/pipelines/1`]);
  return { name, work, bare, pipeline: 1, sha };
}

/** Commit a one-file change and publish it as the next pipeline ref. */
export async function pushNextCommit(repo: Repo): Promise<void> {
  repo.pipeline += 1;
  await writeFile(join(repo.work, 'CHANGELOG.md'), `pipeline ${repo.pipeline}\n`);
  git(repo.work, ['add', '-A']);
  git(repo.work, ['commit', '-q', '-m', `change ${repo.pipeline}`]);
  repo.sha = git(repo.work, ['rev-parse', 'HEAD']);
  git(repo.work, [
    'push',
    '-q',
    repo.bare,
    'main:refs/heads/main',
    `${repo.sha}:refs/pipelines/${repo.pipeline}`,
  ]);
}

export function gitInfo(server: GitServer, repo: Repo) {
  return {
    repo_url: `${server.url.replace('://', `://gitlab-ci-token:${TOKEN}@`)}/${repo.name}.git`,
    repo_object_format: 'sha1',
    ref: 'main',
    sha: repo.sha,
    before_sha: '',
    ref_type: 'branch',
    refspecs: [
      `+refs/pipelines/${repo.pipeline}:refs/pipelines/${repo.pipeline}`,
      '+refs/heads/main:refs/remotes/origin/main',
    ],
    depth: DEPTH,
    protected: false,
  };
}

function settings(strategy: 'clone' | 'fetch'): SourcesSettings {
  return {
    strategy,
    depth: DEPTH,
    checkout: true,
    cleanFlags: '-ffdx',
    submoduleStrategy: 'none',
    lfsSkipSmudge: true,
  };
}

const gitEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1' };

async function nativeClone(server: GitServer, repo: Repo, dir: string): Promise<void> {
  await run(
    'git',
    [
      'clone',
      '-q',
      '--depth',
      String(DEPTH),
      '--single-branch',
      '-b',
      'main',
      gitInfo(server, repo).repo_url,
      dir,
    ],
    { env: gitEnv, maxBuffer: 64 * 1024 * 1024 },
  );
}

async function nativeFetch(repo: Repo, dir: string): Promise<void> {
  const ref = `refs/pipelines/${repo.pipeline}`;
  await run('git', ['fetch', '-q', '--depth', String(DEPTH), 'origin', `+${ref}:${ref}`], {
    cwd: dir,
    env: gitEnv,
  });
  await run('git', ['checkout', '-q', '-f', repo.sha], { cwd: dir, env: gitEnv });
}

async function tabrunner(
  server: GitServer,
  repo: Repo,
  storeDir: string,
  strategy: 'clone' | 'fetch',
) {
  const result = await getSources({
    gitInfo: gitInfo(server, repo),
    settings: settings(strategy),
    store: createNodeSourceStore({ dir: storeDir }),
    http: nodeHttp,
    projectKey: repo.name,
  });
  if (result.commit !== repo.sha || !result.tree?.files.length) throw new Error('wrong checkout');
  return result;
}

/** `projectKey` names the IndexedDB project: a fresh one per cold run, so nothing is deleted. */
async function browserRun(
  page: Page,
  server: GitServer,
  repo: Repo,
  strategy: 'clone' | 'fetch',
  projectKey: string,
) {
  const result = await page.evaluate(
    (o) =>
      (
        window as unknown as {
          sources: { run(o: unknown): Promise<{ ms: number; commit: string }> };
        }
      ).sources.run(o),
    { gitInfo: gitInfo(server, repo), settings: settings(strategy), projectKey },
  );
  if (result.commit !== repo.sha) throw new Error('wrong checkout in the browser');
  return result.ms;
}

/** Run the benchmark; returns one row per measurement. */
export async function benchSources(options: SourcesBenchOptions = {}): Promise<BenchRow[]> {
  const root = await mkdtemp(join(tmpdir(), 'tabrunner-bench-sources-'));
  const rows: BenchRow[] = [];
  const useBrowser = options.browser ?? existsSync('/usr/bin/chromium');
  let server: GitServer | undefined;
  let closeBrowser = async () => {};
  try {
    const small = await createRepo(root, 'small', 40, 200 * 1024);
    const large = await createRepo(
      root,
      'large',
      options.largeFiles ?? 5000,
      options.largeBytes ?? 50 * 1024 * 1024,
    );
    const srv = await startGitServer({
      root: join(root, 'repos'),
      auth: { username: 'gitlab-ci-token', password: TOKEN },
      cors: true,
    });
    server = srv;
    let page: Page | undefined;
    if (useBrowser) {
      await buildSourcesBundle(join(root, 'www'));
      const served = await servePage(join(root, 'www'));
      const browser = await launchChromium();
      closeBrowser = async () => {
        await browser.close();
        await new Promise<void>((r) => served.server.close(() => r()));
      };
      page = await browser.newPage();
      await page.goto(served.url);
      await page.waitForFunction(() => 'sources' in window);
    }

    for (const repo of [small, large]) {
      const runs = repo === small ? (options.smallRuns ?? 3) : (options.largeRuns ?? 3);
      const nativeDir = join(root, 'native', repo.name);
      const cold: number[] = [];
      const ours: number[] = [];
      const oursBrowser: number[] = [];
      for (let i = 0; i < runs; i++) {
        // Deleting the last run's 5,000 files is no part of a clone.
        await rm(nativeDir, { recursive: true, force: true });
        await settle();
        cold.push(await time(() => nativeClone(srv, repo, nativeDir)));
        const storeDir = join(root, 'stores', `${repo.name}-${i}`);
        await settle();
        ours.push(await time(() => tabrunner(srv, repo, storeDir, 'clone')));
        await settle();
        if (page) oursBrowser.push(await browserRun(page, srv, repo, 'clone', `${repo.name}-${i}`));
      }
      const native = best(cold);
      const node = best(ours);
      rows.push({ name: `${repo.name}: cold clone, native git`, ms: native, ratio: 1 });
      rows.push({
        name: `${repo.name}: cold clone, tabrunner Node`,
        ms: node,
        ratio: node / native,
      });
      const browserCold = best(oursBrowser);
      if (page)
        rows.push({
          name: `${repo.name}: cold clone, tabrunner Chromium`,
          ms: browserCold,
          ratio: browserCold / native,
        });

      const warmNative: number[] = [];
      const warmNode: number[] = [];
      const warmBrowser: number[] = [];
      const storeDir = join(root, 'stores', `${repo.name}-0`);
      for (let i = 0; i < runs; i++) {
        await pushNextCommit(repo);
        await settle();
        warmNative.push(await time(() => nativeFetch(repo, nativeDir)));
        await settle();
        warmNode.push(await time(() => tabrunner(srv, repo, storeDir, 'fetch')));
        await settle();
        if (page) warmBrowser.push(await browserRun(page, srv, repo, 'fetch', `${repo.name}-0`));
      }
      const wn = best(warmNative);
      const wo = best(warmNode);
      rows.push({ name: `${repo.name}: warm fetch 1 commit, native git`, ms: wn, ratio: 1 });
      rows.push({
        name: `${repo.name}: warm fetch 1 commit, tabrunner Node`,
        ms: wo,
        ratio: wo / wn,
      });
      rows.push({ name: `${repo.name}: warm/cold, tabrunner Node`, ms: wo, ratio: wo / node });
      if (page) {
        const wb = best(warmBrowser);
        rows.push({
          name: `${repo.name}: warm fetch 1 commit, tabrunner Chromium`,
          ms: wb,
          ratio: wb / wn,
        });
        rows.push({
          name: `${repo.name}: warm/cold, tabrunner Chromium`,
          ms: wb,
          ratio: wb / browserCold,
        });
      }
    }
    return rows;
  } finally {
    await closeBrowser();
    await server?.close();
    await rm(root, { recursive: true, force: true });
  }
}
