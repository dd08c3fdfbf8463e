import { execFileSync } from 'node:child_process';
import * as nodeFs from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getConfig, readBlob, readCommit, resolveRef } from 'isomorphic-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, startGitServer, type GitServer } from '../../test/support/git-server.ts';
import { CheckoutCache } from './store/checkout-cache.ts';
import {
  getSources,
  type GetSourcesOptions,
  type SourcesLine,
  type SourcesSettings,
} from './index.ts';
import type { GitInfo } from './fetch/fetch-plan.ts';
import { createNodeSourceStore, nodeHttp } from './node.ts';
import { FLUSH_PKT, PktLineReader, pktLine } from './git/wire/pkt-line.ts';

const TOKEN = 'glcbt-64_s3cr3tJobToken9876';
const settings: SourcesSettings = {
  strategy: 'fetch',
  depth: 0,
  checkout: true,
  cleanFlags: '-ffdx',
  submoduleStrategy: 'none',
  lfsSkipSmudge: false,
};

let root: string;
let work: string;
let bare: string;
let server: GitServer;
const shas: Record<string, string> = {};

async function write(path: string, text: string): Promise<void> {
  await mkdir(join(work, path, '..'), { recursive: true });
  await writeFile(join(work, path), text);
}

function commit(message: string): string {
  git(work, ['add', '-A']);
  git(work, ['commit', '-q', '-m', message]);
  return git(work, ['rev-parse', 'HEAD']);
}

function push(...refspecs: string[]): void {
  git(work, ['push', '-q', '--force', bare, ...refspecs]);
}

function repoUrl(token = TOKEN): string {
  return `${server.url.replace('://', `://gitlab-ci-token:${token}@`)}/group/project.git`;
}

function info(overrides: Partial<GitInfo>): GitInfo {
  return {
    repo_url: repoUrl(),
    repo_object_format: 'sha1',
    ref: 'main',
    sha: shas.main2 ?? '',
    before_sha: '0000000000000000000000000000000000000000',
    ref_type: 'branch',
    refspecs: [],
    depth: 0,
    protected: false,
    ...overrides,
  };
}

let storeCount = 0;
function freshStoreDir(): string {
  storeCount += 1;
  return join(root, `store-${storeCount}`);
}

async function run(
  gitInfo: GitInfo,
  overrides: Partial<SourcesSettings> = {},
  storeDir = freshStoreDir(),
  extra: Partial<GetSourcesOptions> = {},
) {
  const lines: SourcesLine[] = [];
  const store = createNodeSourceStore({ dir: storeDir });
  const result = await getSources({
    gitInfo,
    settings: { ...settings, ...overrides },
    store,
    http: nodeHttp,
    projectKey: '127.0.0.1/group/project',
    onLine: (l) => lines.push(l),
    // Each test starts without the memory of earlier checkouts unless it passes one.
    checkoutCache: new CheckoutCache(),
    ...extra,
  });
  return { ...result, lines, texts: lines.map((l) => l.text), store, storeDir };
}

function fileText(tree: { files: { path: string; data: Uint8Array }[] } | null, path: string) {
  const file = tree?.files.find((f) => f.path === path);
  return file ? new TextDecoder().decode(file.data) : undefined;
}

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await allFiles(path)));
    else out.push(path);
  }
  return out;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tabrunner-sources-'));
  work = join(root, 'work');
  bare = join(root, 'repos', 'group', 'project.git');
  await mkdir(work, { recursive: true });
  await mkdir(bare, { recursive: true });
  git(bare, ['init', '-q', '--bare', '-b', 'main']);
  git(work, ['init', '-q', '-b', 'main']);
  await write('README.md', 'hello v1\n');
  await write('src/app/index.js', 'console.log(1);\n');
  await write('bin/run.sh', '#!/bin/sh\necho run\n');
  await chmod(join(work, 'bin/run.sh'), 0o755);
  await symlink('README.md', join(work, 'readme-link'));
  shas.main1 = commit('first');
  git(work, ['tag', '-a', 'v1', '-m', 'release v1']);
  await write('README.md', 'hello v2\n');
  shas.main2 = commit('second');
  git(work, ['checkout', '-q', '-b', 'feature']);
  await write('feature.txt', 'feature work\n');
  shas.feature = commit('feature');
  git(work, ['checkout', '-q', 'main']);
  git(work, ['checkout', '-q', '--orphan', 'secret']);
  await write('secret.txt', 'hidden\n');
  shas.hidden = commit('hidden');
  git(work, ['checkout', '-q', '-f', 'main']);
  push(
    'main:refs/heads/main',
    'feature:refs/heads/feature',
    'refs/tags/v1:refs/tags/v1',
    `${shas.feature}:refs/merge-requests/7/head`,
    `${shas.main2}:refs/pipelines/42`,
    `${shas.main1}:refs/pipelines/43`,
    `${shas.hidden}:refs/keep-around/${shas.hidden}`,
  );
  server = await startGitServer({
    root: join(root, 'repos'),
    auth: { username: 'gitlab-ci-token', password: TOKEN },
    config: { 'uploadpack.hideRefs': 'refs/keep-around' },
  });
});

afterAll(async () => {
  await server?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('getSources', () => {
  it('clones the pipeline commit into a fresh store and prints the runner lines', async () => {
    const r = await run(
      info({
        refspecs: [
          '+refs/pipelines/42:refs/pipelines/42',
          '+refs/heads/main:refs/remotes/origin/main',
        ],
      }),
      { strategy: 'clone', depth: 50 },
    );
    expect(r.commit).toBe(shas.main2);
    expect(r.lines[0]).toEqual({
      kind: 'notice',
      text: 'Fetching changes with git depth set to 50...',
    });
    expect(r.texts[1]).toMatch(/^Initialized empty Git repository in .*\/$/);
    expect(r.texts).toContain('Created fresh repository.');
    expect(r.lines).toContainEqual({
      kind: 'notice',
      text: `Checking out ${shas.main2?.slice(0, 8)} as detached HEAD (ref is main)...`,
    });
    expect(r.texts.at(-1)).toBe('Skipping Git submodules setup');
    // The commit is asked for by id: one request, no ref advertisement.
    expect(r.stats.fetchedRef).toBe(shas.main2);
    expect(r.stats.requests).toBe(1);
    expect(fileText(r.tree, 'README.md')).toBe('hello v2\n');
    expect(fileText(r.tree, 'src/app/index.js')).toBe('console.log(1);\n');
    const files = new Map(r.tree?.files.map((f) => [f.path, f]));
    expect(files.get('bin/run.sh')?.mode).toBe(0o100755);
    expect(files.get('README.md')?.mode).toBe(0o100644);
    expect(files.get('readme-link')?.mode).toBe(0o120000);
    expect(fileText(r.tree, 'readme-link')).toBe('README.md');
    expect(r.tree?.files.map((f) => f.path).sort()).toEqual(
      ['README.md', 'bin/run.sh', 'readme-link', 'src/app/index.js'].sort(),
    );
    expect(r.stats.objectsFetched).toBeGreaterThan(5);
    expect(r.stats.bytesFetched).toBeGreaterThan(0);
  });

  it('keeps the job token out of the store, its config and the lines', async () => {
    const r = await run(info({ refspecs: ['+refs/pipelines/42:refs/pipelines/42'] }));
    const gitdir = join(r.storeDir, (await readdir(r.storeDir))[0] ?? '');
    const config = await readFile(join(gitdir, 'config'), 'utf8');
    expect(config).toContain(`url = ${server.url}/group/project.git`);
    for (const file of await allFiles(r.storeDir)) {
      expect((await readFile(file)).includes(TOKEN), file).toBe(false);
    }
    expect(JSON.stringify(r.lines)).not.toContain(TOKEN);
  });

  it('fetches only the new objects into a reused store after a push', async () => {
    const storeDir = freshStoreDir();
    const cold = await run(
      info({ refspecs: ['+refs/pipelines/42:refs/pipelines/42'] }),
      { strategy: 'fetch' },
      storeDir,
    );
    expect(cold.stats.reusedStore).toBe(false);
    await write('src/app/index.js', 'console.log(3);\n');
    const next = commit('third');
    push(`${next}:refs/pipelines/44`);
    const before = server.bytesSent();
    const warm = await run(
      info({ sha: next, refspecs: ['+refs/pipelines/44:refs/pipelines/44'] }),
      { strategy: 'fetch' },
      storeDir,
    );
    const served = server.bytesSent() - before;
    expect(warm.stats.reusedStore).toBe(true);
    expect(warm.texts[1]).toMatch(/^Reinitialized existing Git repository in /);
    expect(warm.texts).not.toContain('Created fresh repository.');
    // commit + root tree + src + src/app + the changed blob
    expect(warm.stats.objectsFetched).toBeLessThanOrEqual(5);
    expect(warm.stats.objectsFetched).toBeLessThan(cold.stats.objectsFetched);
    expect(served).toBeLessThan(cold.stats.bytesFetched);
    expect(fileText(warm.tree, 'src/app/index.js')).toBe('console.log(3);\n');
    expect(fileText(warm.tree, 'README.md')).toBe('hello v2\n');
    git(work, ['reset', '-q', '--hard', shas.main2 ?? '']);
  });

  it('fetches a shallow history when a depth is set', async () => {
    const full = await run(info({ refspecs: ['+refs/pipelines/42:refs/pipelines/42'] }));
    const shallow = await run(info({ refspecs: ['+refs/pipelines/42:refs/pipelines/42'] }), {
      depth: 1,
    });
    expect(shallow.stats.objectsFetched).toBeLessThan(full.stats.objectsFetched);
    const gitdir = join(shallow.storeDir, (await readdir(shallow.storeDir))[0] ?? '');
    expect((await readFile(join(gitdir, 'shallow'), 'utf8')).trim()).toBe(shas.main2);
    expect(fileText(shallow.tree, 'README.md')).toBe('hello v2\n');
  });

  it('checks out a tag pipeline from the annotated tag ref', async () => {
    const r = await run(
      info({
        ref: 'v1',
        ref_type: 'tag',
        sha: shas.main1,
        refspecs: ['+refs/tags/v1:refs/tags/v1'],
      }),
      { depth: 1 },
    );
    expect(r.stats.fetchedRef).toBe(shas.main1);
    expect(r.texts).toContain(
      `Checking out ${shas.main1?.slice(0, 8)} as detached HEAD (ref is v1)...`,
    );
    expect(fileText(r.tree, 'README.md')).toBe('hello v1\n');
  });

  it('checks out a merge-request head ref', async () => {
    const r = await run(
      info({
        ref: 'refs/merge-requests/7/head',
        sha: shas.feature,
        refspecs: ['+refs/merge-requests/7/head:refs/merge-requests/7/head'],
      }),
      { depth: 10 },
    );
    expect(r.stats.fetchedRef).toBe(shas.feature);
    expect(fileText(r.tree, 'feature.txt')).toBe('feature work\n');
  });

  it('fetches a commit the branch tip has moved past, by its id', async () => {
    const r = await run(
      info({ sha: shas.main1, refspecs: ['+refs/heads/main:refs/remotes/origin/main'] }),
      { depth: 1 },
    );
    expect(r.stats.fetches).toBe(1);
    expect(r.stats.fetchedRef).toBe(shas.main1);
    expect(r.commit).toBe(shas.main1);
    expect(fileText(r.tree, 'README.md')).toBe('hello v1\n');
  });

  it('fails clearly when the server refuses the commit, and returns no tree', async () => {
    const attempt = run(
      info({ sha: shas.hidden, refspecs: ['+refs/pipelines/42:refs/pipelines/42'] }),
    );
    await expect(attempt).rejects.toMatchObject({
      code: 'SourcesCommitError',
      data: { sha: shas.hidden, tried: [shas.hidden, 'refs/pipelines/42', 'refs/heads/main'] },
    });
    await expect(attempt).rejects.toThrow(/did not send commit/);
  });

  it('fails clearly with a wrong job token, without printing it', async () => {
    const wrong = 'glcbt-64_wrongWrongWrong123';
    const attempt = run(
      info({ repo_url: repoUrl(wrong), refspecs: ['+refs/pipelines/42:refs/pipelines/42'] }),
    );
    await expect(attempt).rejects.toMatchObject({
      code: 'SourcesAuthError',
      data: { status: 401 },
    });
    const err = await attempt.catch((e: unknown) => e);
    expect(JSON.stringify(err) + String(err)).not.toContain(wrong);
  });

  it('skips everything for GIT_STRATEGY none and empty without touching the server', async () => {
    const before = server.requests.length;
    const none = await run(info({}), { strategy: 'none' });
    expect(none.tree).toBeNull();
    expect(none.lines).toEqual([{ kind: 'notice', text: 'Skipping Git repository setup' }]);
    const empty = await run(info({}), { strategy: 'empty' });
    expect(empty.tree).toEqual({ files: [] });
    expect(empty.texts).toEqual([
      'Skipping Git repository setup and creating an empty build directory',
    ]);
    expect(server.requests.length).toBe(before);
  });

  it('fetches but hands over no files with GIT_CHECKOUT false', async () => {
    const r = await run(info({ refspecs: ['+refs/pipelines/42:refs/pipelines/42'] }), {
      checkout: false,
    });
    expect(r.tree).toEqual({ files: [] });
    expect(r.texts).toContain('Skipping Git checkout');
    expect(r.stats.objectsFetched).toBeGreaterThan(0);
  });

  it('starts over with GIT_STRATEGY clone on a store that already has the project', async () => {
    const storeDir = freshStoreDir();
    await run(info({ refspecs: ['+refs/pipelines/42:refs/pipelines/42'] }), {}, storeDir);
    const again = await run(
      info({ refspecs: ['+refs/pipelines/42:refs/pipelines/42'] }),
      { strategy: 'clone' },
      storeDir,
    );
    expect(again.stats.reusedStore).toBe(false);
    expect(again.texts).toContain('Created fresh repository.');
    expect(again.stats.objectsFetched).toBeGreaterThan(5);
  });

  it('rejects with the abort reason when the job is canceled', async () => {
    const controller = new AbortController();
    controller.abort(new Error('job canceled'));
    await expect(
      getSources({
        gitInfo: info({}),
        settings,
        store: createNodeSourceStore({ dir: freshStoreDir() }),
        http: nodeHttp,
        projectKey: 'x',
        signal: controller.signal,
      }),
    ).rejects.toThrow('job canceled');
  });
});

function files(tree: { files: { path: string; data: Uint8Array; mode?: number }[] } | null) {
  return (tree?.files ?? [])
    .map((f) => ({ path: f.path, mode: f.mode, data: Buffer.from(f.data).toString('hex') }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * A relay in front of the git server that can refuse every want until the client has read the
 * ref advertisement (as a server that allows no commit ids would), or flip one byte in the
 * middle of every pack it passes on.
 */
async function startMeddler(options: { refuseUnadvertised?: boolean; corrupt?: boolean }) {
  let advertised = false;
  const relay: Server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          ([k]) => !['host', 'content-length', 'transfer-encoding', 'connection'].includes(k),
        ),
      ) as Record<string, string>;
      if (req.url?.includes('/info/refs')) advertised = true;
      else if (options.refuseUnadvertised && !advertised) {
        const want = /want ([0-9a-f]{40})/.exec(body.toString())?.[1] ?? '';
        res.writeHead(200, { 'content-type': 'application/x-git-upload-pack-result' });
        res.end(pktLine(`ERR upload-pack: not our ref ${want}\n`));
        return;
      }
      const upstream = await fetch(`${server.url}${req.url}`, {
        method: req.method ?? 'GET',
        headers,
        ...(body.length ? { body } : {}),
      });
      let out: Uint8Array = new Uint8Array(await upstream.arrayBuffer());
      if (options.corrupt && req.url?.endsWith('/git-upload-pack')) out = await corruptPack(out);
      res.writeHead(upstream.status, {
        'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream',
      });
      res.end(out);
    })();
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(relay.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => relay.close(() => r())),
  };
}

/** Re-frame an upload-pack response with one pack byte flipped. */
async function corruptPack(response: Uint8Array): Promise<Uint8Array> {
  const reader = new PktLineReader(
    (async function* () {
      yield response;
    })(),
    'test',
  );
  const lines: Uint8Array[] = [];
  const pack: number[] = [];
  for (;;) {
    const packet = await reader.read();
    if (packet === undefined) break;
    if (packet === null) lines.push(FLUSH_PKT);
    else if (packet[0] === 1) pack.push(...packet.subarray(1));
    else if (packet[0] !== 2)
      lines.push(
        Buffer.concat([Buffer.from((packet.length + 4).toString(16).padStart(4, '0')), packet]),
      );
  }
  const flipped = Uint8Array.from(pack);
  flipped[Math.floor(flipped.length / 2)] = (flipped[Math.floor(flipped.length / 2)] ?? 0) ^ 0xff;
  const band = Buffer.concat([Buffer.from([1]), flipped]);
  const head = Buffer.from((band.length + 4).toString(16).padStart(4, '0'));
  return Buffer.concat([...lines.filter((l) => l !== FLUSH_PKT), head, band, FLUSH_PKT]);
}

describe('getSources: memory of the last checkout, store, hostile servers', () => {
  it('reuses the last checkout for a warm fetch; without that memory it reads the same tree from the store', async () => {
    const storeDir = freshStoreDir();
    const memory = new CheckoutCache();
    const cold = await run(info({}), {}, storeDir, { checkoutCache: memory });
    expect(cold.stats.objectsReused).toBe(0);
    await write('src/app/index.js', 'console.log(5);\n');
    const next = commit('fifth');
    push(`${next}:refs/pipelines/45`);
    const warm = await run(info({ sha: next }), {}, storeDir, { checkoutCache: memory });
    // Unchanged: bin/, its blob, README.md, readme-link; changed: root, src, src/app, index.js.
    expect(warm.stats.objectsReused).toBeGreaterThanOrEqual(4);
    expect(warm.stats.objectsFetched).toBeLessThanOrEqual(5);
    expect(fileText(warm.tree, 'src/app/index.js')).toBe('console.log(5);\n');
    const forgotten = await run(info({ sha: next }), {}, storeDir, {
      checkoutCache: new CheckoutCache(),
    });
    expect(forgotten.stats.objectsReused).toBe(0);
    expect(forgotten.stats.fetches).toBe(0);
    expect(files(forgotten.tree)).toEqual(files(warm.tree));
    git(work, ['reset', '-q', '--hard', shas.main2 ?? '']);
  });

  it('leaves a store that git and isomorphic-git read', async () => {
    const r = await run(info({}), { depth: 1 });
    const gitdir = join(r.storeDir, (await readdir(r.storeDir))[0] ?? '');
    execFileSync('git', ['--git-dir', gitdir, 'fsck', '--full', '--no-dangling'], {
      stdio: 'pipe',
    });
    expect(git(gitdir, ['rev-parse', 'HEAD'])).toBe(shas.main2);
    const { blob } = await readBlob({
      fs: nodeFs,
      gitdir,
      oid: shas.main2 ?? '',
      filepath: 'README.md',
    });
    expect(new TextDecoder().decode(blob)).toBe('hello v2\n');
  });

  it('leaves a repository git and isomorphic-git read whole: objects, HEAD, origin', async () => {
    const r = await run(info({ sha: shas.main2 ?? '' }));
    const gitdir = join(r.storeDir, (await readdir(r.storeDir))[0] ?? '');
    const gitIn = (args: string[]) =>
      execFileSync('git', ['--git-dir', gitdir, ...args], {
        encoding: 'utf8',
        stdio: 'pipe',
      }).trim();
    gitIn(['fsck', '--full', '--strict', '--no-dangling']);
    expect(gitIn(['rev-parse', 'HEAD'])).toBe(shas.main2);
    expect(gitIn(['cat-file', '-t', 'HEAD'])).toBe('commit');
    expect(gitIn(['cat-file', '-p', 'HEAD:README.md'])).toBe('hello v2');
    expect(gitIn(['rev-parse', 'HEAD~1'])).toBe(git(work, ['rev-parse', `${shas.main2}~1`]));
    const url = `${server.url}/group/project.git`;
    expect(gitIn(['config', '--get', 'remote.origin.url'])).toBe(url);

    expect(await resolveRef({ fs: nodeFs, gitdir, ref: 'HEAD' })).toBe(shas.main2);
    const { commit } = await readCommit({ fs: nodeFs, gitdir, oid: shas.main2 ?? '' });
    expect(commit.tree).toBe(gitIn(['rev-parse', 'HEAD^{tree}']));
    expect(commit.parent).toEqual([git(work, ['rev-parse', `${shas.main2}~1`])]);
    expect(await getConfig({ fs: nodeFs, gitdir, path: 'remote.origin.url' })).toBe(url);
  });

  it('falls back to the refs of the fetch plan when the server refuses commit ids', async () => {
    const relay = await startMeddler({ refuseUnadvertised: true });
    try {
      const r = await run(
        info({
          repo_url: `${relay.url.replace('://', `://gitlab-ci-token:${TOKEN}@`)}/group/project.git`,
          refspecs: ['+refs/pipelines/42:refs/pipelines/42'],
        }),
      );
      expect(r.stats.fetches).toBe(2);
      expect(r.stats.fetchedRef).toBe('refs/pipelines/42');
      expect(fileText(r.tree, 'README.md')).toBe('hello v2\n');
    } finally {
      await relay.close();
    }
  });

  it('rejects a corrupted pack and stores nothing from it', async () => {
    const relay = await startMeddler({ corrupt: true });
    try {
      const storeDir = freshStoreDir();
      const attempt = run(
        info({
          repo_url: `${relay.url.replace('://', `://gitlab-ci-token:${TOKEN}@`)}/group/project.git`,
        }),
        {},
        storeDir,
      );
      await expect(attempt).rejects.toMatchObject({ code: 'SourcesPackError' });
      const gitdir = join(storeDir, (await readdir(storeDir))[0] ?? '');
      expect(await readdir(join(gitdir, 'objects', 'pack'))).toEqual([]);
    } finally {
      await relay.close();
    }
  });
});

describe('getSources with a submodule', () => {
  let subRoot: string;
  let subServer: GitServer;
  let sha: string;

  beforeAll(async () => {
    subRoot = await mkdtemp(join(tmpdir(), 'tabrunner-sources-sub-'));
    const w = join(subRoot, 'work');
    const b = join(subRoot, 'repos', 'app.git');
    await mkdir(w, { recursive: true });
    await mkdir(b, { recursive: true });
    git(b, ['init', '-q', '--bare', '-b', 'main']);
    git(w, ['init', '-q', '-b', 'main']);
    await writeFile(join(w, 'main.txt'), 'main\n');
    await writeFile(
      join(w, '.gitmodules'),
      '[submodule "lib/dep"]\n\tpath = lib/dep\n\turl = https://example.com/dep.git\n',
    );
    await writeFile(
      join(w, 'big.bin'),
      'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n',
    );
    git(w, ['add', '-A']);
    git(w, ['update-index', '--add', '--cacheinfo', `160000,${'1'.repeat(40)},lib/dep`]);
    git(w, ['commit', '-q', '-m', 'with submodule']);
    sha = git(w, ['rev-parse', 'HEAD']);
    git(w, ['push', '-q', b, 'main:refs/heads/main']);
    subServer = await startGitServer({ root: join(subRoot, 'repos') });
  });

  afterAll(async () => {
    await subServer?.close();
    if (subRoot) await rm(subRoot, { recursive: true, force: true });
  });

  async function runSub(overrides: Partial<SourcesSettings>) {
    const lines: SourcesLine[] = [];
    const result = await getSources({
      gitInfo: {
        repo_url: `${subServer.url}/app.git`,
        repo_object_format: '',
        ref: 'main',
        sha,
        before_sha: '',
        ref_type: 'branch',
        refspecs: ['+refs/heads/main:refs/remotes/origin/main'],
        depth: 0,
        protected: null,
      },
      settings: { ...settings, ...overrides },
      store: createNodeSourceStore({ dir: join(subRoot, `store-${Math.random()}`) }),
      http: nodeHttp,
      projectKey: 'app',
      onLine: (l) => lines.push(l),
    });
    return { ...result, lines };
  }

  it('warns that submodules are not supported and leaves their path empty', async () => {
    const r = await runSub({ submoduleStrategy: 'recursive' });
    expect(r.lines).toContainEqual({
      kind: 'notice',
      text: 'Updating/initializing submodules recursively...',
    });
    const warning = r.lines.find((l) => l.kind === 'warning' && l.text.includes('submodules'));
    expect(warning?.text).toMatch(
      /not supported by tabrunner: lib\/dep is left as empty directory/,
    );
    expect(r.tree?.directories).toEqual(['lib/dep']);
    expect(r.tree?.files.map((f) => f.path).sort()).toEqual(['.gitmodules', 'big.bin', 'main.txt']);
  });

  it('says it skips submodules with GIT_SUBMODULE_STRATEGY none, and warns about LFS pointers', async () => {
    const r = await runSub({ submoduleStrategy: 'none' });
    expect(r.lines).toContainEqual({ kind: 'notice', text: 'Skipping Git submodules setup' });
    expect(r.lines).toContainEqual({
      kind: 'warning',
      text: 'Git LFS is not supported by tabrunner: 1 LFS file(s) are left as pointer files (big.bin).',
    });
    const skipped = await runSub({ lfsSkipSmudge: true });
    expect(skipped.lines.some((l) => l.text.includes('LFS'))).toBe(false);
  });
});
