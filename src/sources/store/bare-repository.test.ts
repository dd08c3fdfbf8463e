import { execFileSync } from 'node:child_process';
import * as nodeFs from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getConfig, resolveRef } from 'isomorphic-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  initBareRepository,
  readDetachedHead,
  readShallow,
  setOriginUrl,
  writeDetachedHead,
  writeShallow,
} from './bare-repository.ts';
import type { StoreFs } from './source-store.ts';

const fs = nodeFs as unknown as StoreFs;
let root: string;
let count = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tabrunner-bare-repository-'));
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

/** An empty directory, as `SourceStore.open` hands one out. */
async function emptyGitdir(): Promise<string> {
  count += 1;
  const gitdir = join(root, `project-${count}`);
  await mkdir(gitdir);
  return gitdir;
}

/** The real git on `gitdir`, with no user or system config. */
function gitIn(gitdir: string, args: string[]): string {
  return execFileSync('git', ['--git-dir', gitdir, ...args], {
    encoding: 'utf8',
    stdio: 'pipe',
    env: { PATH: process.env['PATH'], HOME: root, GIT_CONFIG_NOSYSTEM: '1' },
  }).trim();
}

/** The config of a store made by tabrunner before it wrote stores itself (isomorphic-git's). */
const ISOMORPHIC_GIT_CONFIG =
  '[core]\n\trepositoryformatversion = 0\n\tfilemode = false\n\tbare = true\n' +
  '\tsymlinks = false\n\tignorecase = true\n\n[remote "origin"]\n' +
  '\tfetch = +refs/heads/*:refs/remotes/origin/*\n\turl = https://gitlab.example.com/g/p.git';

describe('a store bare repository', () => {
  it('is a bare repository git accepts, made once', async () => {
    const gitdir = await emptyGitdir();
    expect(await initBareRepository(fs, gitdir)).toBe(false);
    expect(gitIn(gitdir, ['rev-parse', '--is-bare-repository'])).toBe('true');
    expect(gitIn(gitdir, ['symbolic-ref', 'HEAD'])).toBe('refs/heads/none');
    // Throws on a repository git cannot read; an empty one is fine.
    gitIn(gitdir, ['fsck', '--full', '--no-dangling']);
    const config = await readFile(join(gitdir, 'config'), 'utf8');
    expect(await initBareRepository(fs, gitdir)).toBe(true);
    expect(await readFile(join(gitdir, 'config'), 'utf8')).toBe(config);
  });

  it('finishes an initialisation cut short before the config was written', async () => {
    const gitdir = await emptyGitdir();
    await mkdir(join(gitdir, 'objects'));
    expect(await initBareRepository(fs, gitdir)).toBe(false);
    expect((await readdir(join(gitdir, 'objects'))).sort()).toEqual(['info', 'pack']);
    expect(gitIn(gitdir, ['rev-parse', '--is-bare-repository'])).toBe('true');
  });

  it('keeps origin as git and isomorphic-git read it', async () => {
    const gitdir = await emptyGitdir();
    await initBareRepository(fs, gitdir);
    const url = 'https://gitlab.example.com/group/project.git';
    expect(await setOriginUrl(fs, gitdir, url)).toBe('added');
    expect(gitIn(gitdir, ['config', '--get', 'remote.origin.url'])).toBe(url);
    expect(gitIn(gitdir, ['config', '--get', 'remote.origin.fetch'])).toBe(
      '+refs/heads/*:refs/remotes/origin/*',
    );
    expect(await getConfig({ fs: nodeFs, gitdir, path: 'remote.origin.url' })).toBe(url);
    expect(await setOriginUrl(fs, gitdir, url)).toBe('unchanged');
    const moved = 'https://gitlab.example.com/group/renamed.git';
    expect(await setOriginUrl(fs, gitdir, moved)).toBe('changed');
    expect(gitIn(gitdir, ['config', '--get-all', 'remote.origin.url'])).toBe(moved);
    expect(await getConfig({ fs: nodeFs, gitdir, path: 'remote.origin.url' })).toBe(moved);
  });

  it('reuses a store isomorphic-git initialised, and moves its origin', async () => {
    const gitdir = await emptyGitdir();
    await writeFile(join(gitdir, 'config'), ISOMORPHIC_GIT_CONFIG);
    await writeFile(join(gitdir, 'HEAD'), 'ref: refs/heads/none\n');
    for (const folder of ['objects', 'objects/pack', 'refs']) await mkdir(join(gitdir, folder));
    expect(await initBareRepository(fs, gitdir)).toBe(true);
    expect(await setOriginUrl(fs, gitdir, 'https://gitlab.example.com/g/p.git')).toBe('unchanged');
    expect(await setOriginUrl(fs, gitdir, 'https://gitlab.example.com/g/q.git')).toBe('changed');
    expect(gitIn(gitdir, ['config', '--get-all', 'remote.origin.url'])).toBe(
      'https://gitlab.example.com/g/q.git',
    );
    expect(gitIn(gitdir, ['config', '--get', 'core.ignorecase'])).toBe('true');
  });

  it('detaches HEAD at a commit, readable by git and isomorphic-git', async () => {
    const gitdir = await emptyGitdir();
    await initBareRepository(fs, gitdir);
    expect(await readDetachedHead(fs, gitdir)).toBeNull();
    const oid = 'a1'.repeat(20);
    await writeDetachedHead(fs, gitdir, oid);
    expect(await readDetachedHead(fs, gitdir)).toBe(oid);
    expect(gitIn(gitdir, ['rev-parse', 'HEAD'])).toBe(oid);
    expect(await resolveRef({ fs: nodeFs, gitdir, ref: 'HEAD' })).toBe(oid);
  });

  it('writes the shallow boundary, and removes the file once it is empty', async () => {
    const gitdir = await emptyGitdir();
    await initBareRepository(fs, gitdir);
    expect(await readShallow(fs, gitdir)).toEqual(new Set());
    const boundary = new Set(['b2'.repeat(20), 'c3'.repeat(20)]);
    await writeShallow(fs, gitdir, boundary);
    expect(await readFile(join(gitdir, 'shallow'), 'utf8')).toBe(`${[...boundary].join('\n')}\n`);
    expect(await readShallow(fs, gitdir)).toEqual(boundary);
    await writeShallow(fs, gitdir, new Set());
    expect(await readdir(gitdir)).not.toContain('shallow');
  });
});
