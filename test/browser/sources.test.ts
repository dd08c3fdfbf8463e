/**
 * The sources Worker in real headless Chromium: esbuild bundles `src/sources/worker/worker.ts`, a page
 * drives it through `SourcesWorkerClient`, and a cross-origin `git http-backend` (CORS, Basic
 * auth) serves the repository. The store is the real IndexedDB one.
 */
import type { Server } from 'node:http';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, startGitServer, type GitServer } from '../support/git-server.ts';
import { buildSourcesBundle, servePage } from './sources-bundle.ts';
import { launchChromium } from '../support/chromium.ts';

const TOKEN = 'glcbt-64_browserJobToken42';
let root: string;
let work: string;
let bare: string;
let gitServer: GitServer;
let pageServer: Server;
let pageUrl: string;
let browser: Browser;
let page: Page;

interface RunResult {
  commit: string;
  stats: {
    objectsFetched: number;
    objectsReused: number;
    reusedStore: boolean;
    bytesFetched: number;
    files: number;
  };
  lines: { kind: string; text: string }[];
  phases: string[];
  maxProgressBytes: number;
  files: { path: string; mode: number; size: number; text: string }[];
}

function commitAll(message: string): string {
  git(work, ['add', '-A']);
  git(work, ['commit', '-q', '-m', message]);
  return git(work, ['rev-parse', 'HEAD']);
}

function options(sha: string, pipeline: number, token = TOKEN) {
  return {
    gitInfo: {
      repo_url: `${gitServer.url.replace('://', `://gitlab-ci-token:${token}@`)}/group/web.git`,
      repo_object_format: 'sha1',
      ref: 'main',
      sha,
      before_sha: '',
      ref_type: 'branch',
      refspecs: [`+refs/pipelines/${pipeline}:refs/pipelines/${pipeline}`],
      depth: 20,
      protected: false,
    },
    settings: {
      strategy: 'fetch',
      depth: 20,
      checkout: true,
      cleanFlags: '-ffdx',
      submoduleStrategy: 'none',
      lfsSkipSmudge: false,
    },
    projectKey: '127.0.0.1/group/web',
  };
}

async function run(sha: string, pipeline: number): Promise<RunResult> {
  return page.evaluate(
    (o) =>
      (window as unknown as { sources: { run(o: unknown): Promise<RunResult> } }).sources.run(o),
    options(sha, pipeline),
  );
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tabrunner-sources-browser-'));
  work = join(root, 'work');
  bare = join(root, 'repos', 'group', 'web.git');
  await mkdir(work, { recursive: true });
  await mkdir(bare, { recursive: true });
  git(bare, ['init', '-q', '--bare', '-b', 'main']);
  git(work, ['init', '-q', '-b', 'main']);
  await mkdir(join(work, 'src'));
  await writeFile(join(work, 'src', 'main.js'), 'export const answer = 42;\n');
  await writeFile(join(work, 'build.sh'), '#!/bin/sh\necho build\n');
  await chmod(join(work, 'build.sh'), 0o755);
  await symlink('src/main.js', join(work, 'entry.js'));
  await buildSourcesBundle(join(root, 'www'));
  gitServer = await startGitServer({
    root: join(root, 'repos'),
    auth: { username: 'gitlab-ci-token', password: TOKEN },
    cors: true,
  });
  const served = await servePage(join(root, 'www'));
  pageServer = served.server;
  pageUrl = served.url;
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(pageUrl);
  await page.waitForFunction(() => 'sources' in window);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => (pageServer ? pageServer.close(() => r()) : r()));
  await gitServer?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('sources in a Chromium Worker with the IndexedDB store', () => {
  let first: string;

  it('fetches the pipeline commit and hands back its files with git modes', async () => {
    first = commitAll('first');
    git(work, ['push', '-q', bare, 'main:refs/heads/main', `${first}:refs/pipelines/1`]);
    const r = await run(first, 1);
    expect(r.commit).toBe(first);
    expect(r.stats.reusedStore).toBe(false);
    expect(r.stats.objectsFetched).toBeGreaterThan(3);
    const files = Object.fromEntries(r.files.map((f) => [f.path, f]));
    expect(files['src/main.js']?.text).toBe('export const answer = 42;\n');
    expect(files['build.sh']?.mode).toBe(0o100755);
    expect(files['entry.js']).toMatchObject({ mode: 0o120000, text: 'src/main.js' });
    expect(r.lines.map((l) => l.text)).toContain(
      `Checking out ${first.slice(0, 8)} as detached HEAD (ref is main)...`,
    );
    expect(r.phases).toEqual(expect.arrayContaining(['connect', 'fetch', 'tree', 'done']));
    expect(JSON.stringify(r)).not.toContain(TOKEN);
  }, 60_000);

  it('fetches only the new commit, also after a page reload (the store persists)', async () => {
    await writeFile(join(work, 'src', 'main.js'), 'export const answer = 43;\n');
    const second = commitAll('second');
    git(work, ['push', '-q', bare, 'main:refs/heads/main', `${second}:refs/pipelines/2`]);
    await page.reload();
    await page.waitForFunction(() => 'sources' in window);
    const r = await run(second, 2);
    expect(r.stats.reusedStore).toBe(true);
    expect(r.stats.objectsFetched).toBeLessThanOrEqual(4);
    expect(r.files.find((f) => f.path === 'src/main.js')?.text).toBe('export const answer = 43;\n');
    const usage = await page.evaluate(() =>
      (
        window as unknown as {
          sources: { usage(): Promise<{ projects: { key: string; bytes: number }[] }> };
        }
      ).sources.usage(),
    );
    expect(usage.projects.map((p) => p.key)).toEqual(['127.0.0.1/group/web']);
    expect(usage.projects[0]?.bytes).toBeGreaterThan(0);
  }, 60_000);

  it('reports a refused job token as a typed error across the Worker boundary', async () => {
    const wrong = 'glcbt-64_notTheToken';
    const error = await page.evaluate(
      (o) =>
        (
          window as unknown as { sources: { runError(o: unknown): Promise<unknown> } }
        ).sources.runError(o),
      options(first, 1, wrong),
    );
    expect(error).toMatchObject({ code: 'SourcesAuthError', data: { status: 401 } });
    expect(JSON.stringify(error)).not.toContain(wrong);
  }, 60_000);

  it('sends the next job only what changed; the page fills in the files it holds', async () => {
    await writeFile(join(work, 'build.sh'), '#!/bin/sh\necho build 3\n');
    const third = commitAll('third');
    git(work, ['push', '-q', bare, 'main:refs/heads/main', `${third}:refs/pipelines/3`]);
    const r = await run(third, 3);
    // Held by the page: src/main.js and the entry.js link; from the Worker's memory: src/.
    expect(r.stats.objectsReused).toBe(3);
    const files = Object.fromEntries(r.files.map((f) => [f.path, f]));
    expect(files['src/main.js']?.text).toBe('export const answer = 43;\n');
    expect(files['build.sh']).toMatchObject({ mode: 0o100755, text: '#!/bin/sh\necho build 3\n' });
    expect(files['entry.js']).toMatchObject({ mode: 0o120000, text: 'src/main.js' });
  }, 60_000);

  it('leaves an IndexedDB store isomorphic-git reads: HEAD, the commit, origin', async () => {
    const head = git(work, ['rev-parse', 'HEAD']);
    // The store's directory is the project key with everything but [A-Za-z0-9_-] as %XX.
    const stored = await page.evaluate(
      (project) =>
        (
          window as unknown as {
            sources: {
              readStore(p: string): Promise<{
                head: string;
                message: string;
                parents: string[];
                url: string;
              }>;
            };
          }
        ).sources.readStore(project),
      '127%2E0%2E0%2E1%2Fgroup%2Fweb',
    );
    expect(stored).toEqual({
      head,
      message: 'third\n',
      parents: [git(work, ['rev-parse', 'HEAD~1'])],
      url: `${gitServer.url}/group/web.git`,
    });
  }, 60_000);
});

describe('the fetch limits of a tab', () => {
  it('refuses a pack larger than the limit the page passes, in the Worker, before indexing it', async () => {
    const sha = git(work, ['rev-parse', 'HEAD']);
    git(work, ['push', '-q', bare, `${sha}:refs/pipelines/9`]);
    const error = await page.evaluate(
      (o) =>
        (
          window as unknown as { sources: { runError(o: unknown): Promise<unknown> } }
        ).sources.runError(o),
      {
        ...options(sha, 9),
        projectKey: '127.0.0.1/group/limited',
        limits: { packBytes: 100, unpackedBytes: 1024 * 1024 },
      },
    );
    expect(error).toMatchObject({
      code: 'SourcesLimitError',
      message: expect.stringMatching(/the pack is larger than 100 bytes/),
    });
  }, 60_000);
});
