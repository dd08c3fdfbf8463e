/**
 * `git push` over HTTP makes pipelines as GitLab does: the real git CLI pushes to the emulator's
 * git route, authenticated with the workshop password, and the tests read the state.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git, gitFails } from '../../test/support/git-cli.ts';
import { startEmulator } from '../index.ts';
import type { Pipeline, Project } from '../model.ts';
import { createProject, resolveCommit } from './index.ts';
import { createTestContext, type TestContext } from './test-context.ts';

const ZEROS = '0'.repeat(40);
const CI = 'build:\n  stage: build\n  script: [echo build]\ntest:\n  script: [echo test]\n';

describe('git push makes pipelines', () => {
  let t: TestContext;
  let work: string;
  let clone: string;
  let project: Project;
  let remote: string;

  beforeEach(async () => {
    t = await createTestContext();
    const base = await t.listen();
    work = await mkdtemp(join(tmpdir(), 'tabrunner-push-test-'));
    const source = join(work, 'source');
    await mkdir(source);
    await writeFile(join(source, 'README.md'), 'hello\n');
    await writeFile(join(source, '.gitlab-ci.yml'), CI);
    project = await createProject(t.ctx, { path: 'demo', namespace: 'group', sourceDir: source });
    const password = encodeURIComponent(t.ctx.options.workshopPassword);
    remote = `${base.replace('http://', `http://workshop:${password}@`)}/group/demo.git`;
    clone = join(work, 'clone');
    await git(['clone', '--quiet', remote, clone]);
  });

  afterEach(async () => {
    await t.dispose();
    await rm(work, { recursive: true, force: true });
  });

  const pipelines = (): Pipeline[] =>
    [...t.ctx.state.pipelines.values()].sort((a, b) => a.id - b.id);

  async function commit(files: Record<string, string>, message: string): Promise<string> {
    for (const [path, text] of Object.entries(files)) await writeFile(join(clone, path), text);
    await git(['add', '--all'], clone);
    await git(['commit', '--quiet', '-m', message], clone);
    return git(['rev-parse', 'HEAD'], clone);
  }

  it('makes a push pipeline for the new head of main, with the old head as beforeSha', async () => {
    const before = await resolveCommit(project, 'main');
    const sha = await commit({ 'a.txt': 'a\n' }, 'change a');
    await git(['push', '--quiet', 'origin', 'HEAD:main'], clone);
    const [pipeline, ...rest] = pipelines();
    expect(rest).toEqual([]);
    expect(pipeline).toMatchObject({
      ref: 'main',
      refType: 'branch',
      sha,
      beforeSha: before,
      source: 'push',
      status: 'pending',
    });
    const names = pipeline?.jobIds.map((id) => t.ctx.state.jobs.get(id)?.name);
    expect(names).toEqual(['build', 'test']);
  });

  it('gives a new branch forty zeros as beforeSha, and a tag a tag pipeline of its commit', async () => {
    const sha = await commit({ 'b.txt': 'b\n' }, 'on a branch');
    await git(['push', '--quiet', 'origin', 'HEAD:refs/heads/feature'], clone);
    await git(['tag', '-a', 'v1.0', '-m', 'release'], clone);
    await git(['push', '--quiet', 'origin', 'v1.0'], clone);
    const [branch, tag] = pipelines();
    expect(branch).toMatchObject({ ref: 'feature', refType: 'branch', sha, beforeSha: ZEROS });
    // The annotated tag's own object is not a commit; its pipeline builds the commit under it.
    expect(tag).toMatchObject({ ref: 'v1.0', refType: 'tag', sha, beforeSha: ZEROS });
  });

  it('makes no pipeline for a deletion', async () => {
    await git(['push', '--quiet', 'origin', 'HEAD:refs/heads/gone'], clone);
    expect(pipelines()).toHaveLength(1);
    await git(['push', '--quiet', 'origin', ':refs/heads/gone'], clone);
    expect(await resolveCommit(project, 'refs/heads/gone')).toBeNull();
    expect(pipelines()).toHaveLength(1);
  });

  it('records a skipped pipeline without jobs for [skip ci] and for -o ci.skip', async () => {
    const skipped = await commit({ 'c.txt': 'c\n' }, 'docs only [Skip CI]');
    await git(['push', '--quiet', 'origin', 'HEAD:main'], clone);
    await commit({ 'd.txt': 'd\n' }, 'also quiet');
    await git(['push', '--quiet', '-o', 'ci.skip', 'origin', 'HEAD:main'], clone);
    const all = pipelines();
    expect(all.map((p) => [p.status, p.jobIds.length])).toEqual([
      ['skipped', 0],
      ['skipped', 0],
    ]);
    expect(all[0]?.sha).toBe(skipped);
    expect(t.ctx.state.jobs.size).toBe(0);
  });

  it('passes -o ci.variable="KEY=value" as a pipeline variable', async () => {
    await commit({ 'e.txt': 'e\n' }, 'with a variable');
    await git(
      ['push', '--quiet', '-o', 'ci.variable=GREETING=hi=there', 'origin', 'HEAD:main'],
      clone,
    );
    expect(pipelines()[0]?.variables).toContainEqual(
      expect.objectContaining({ key: 'GREETING', value: 'hi=there' }),
    );
  });

  it('records a failed pipeline with GitLab message for a bad config; the push still succeeds', async () => {
    const sha = await commit(
      { '.gitlab-ci.yml': 'build:\n  stage: nope\n  script: [echo build]\n' },
      'break the config',
    );
    await git(['push', '--quiet', 'origin', 'HEAD:main'], clone);
    expect(await resolveCommit(project, 'main')).toBe(sha);
    const [pipeline] = pipelines();
    expect(pipeline).toMatchObject({ sha, status: 'failed', jobIds: [], source: 'push' });
    expect(pipeline?.configError).toContain('jobs:build:stage chosen stage nope does not exist');
    // GitLab deletes the pipeline ref of a completed pipeline; a failed one keeps none.
    expect(await resolveCommit(project, `refs/pipelines/${pipeline?.id}`)).toBeNull();
  });

  it('makes pipelines for the first four refs of one push only, as GitLab does', async () => {
    await commit({ 'g.txt': 'g\n' }, 'five branches');
    const branches = ['b1', 'b2', 'b3', 'b4', 'b5'];
    await git(['push', '--quiet', 'origin', ...branches.map((b) => `HEAD:refs/heads/${b}`)], clone);
    for (const branch of branches) expect(await resolveCommit(project, branch)).not.toBeNull();
    expect(pipelines().map((p) => p.ref)).toEqual(['b1', 'b2', 'b3', 'b4']);
  });

  it('counts a deleted ref among the four, though it makes no pipeline', async () => {
    await git(['push', '--quiet', 'origin', 'HEAD:refs/heads/a0'], clone);
    await commit({ 'h.txt': 'h\n' }, 'one deleted, four pushed');
    const pushed = ['b1', 'b2', 'b3', 'b4'].map((b) => `HEAD:refs/heads/${b}`);
    await git(['push', '--quiet', 'origin', ':refs/heads/a0', ...pushed], clone);
    expect(await resolveCommit(project, 'refs/heads/b4')).not.toBeNull();
    expect(pipelines().map((p) => p.ref)).toEqual(['a0', 'b1', 'b2', 'b3']);
  });

  it('makes no pipeline for a commit without .gitlab-ci.yml', async () => {
    await git(['rm', '--quiet', '.gitlab-ci.yml'], clone);
    await git(['commit', '--quiet', '-m', 'no more CI'], clone);
    await git(['push', '--quiet', 'origin', 'HEAD:main'], clone);
    expect(pipelines()).toEqual([]);
  });

  it('refuses a wrong workshop password with 401, and makes nothing', async () => {
    await commit({ 'f.txt': 'f\n' }, 'never lands');
    const wrong = remote.replace(encodeURIComponent(t.ctx.options.workshopPassword), 'guess');
    const stderr = await gitFails(['push', wrong, 'HEAD:main'], clone);
    expect(stderr).toMatch(/Authentication failed|401/);
    expect(stderr).not.toContain(t.ctx.options.workshopPassword);
    expect(pipelines()).toEqual([]);
  });
});

describe('the workshop password', () => {
  it('opens git to any user name but not the admin API', async () => {
    const emulator = await startEmulator({ workshopPassword: 'room-pass-1234' });
    const work = await mkdtemp(join(tmpdir(), 'tabrunner-workshop-test-'));
    try {
      const source = join(work, 'source');
      await mkdir(source);
      await writeFile(join(source, 'README.md'), 'hi\n');
      await createProject(emulator.context, {
        path: 'demo',
        namespace: 'group',
        sourceDir: source,
      });
      const remote = emulator.url.replace('http://', 'http://alice:room-pass-1234@');
      await git(['clone', '--quiet', `${remote}/group/demo.git`, join(work, 'clone')]);

      const tries: Record<string, string>[] = [
        { 'PRIVATE-TOKEN': 'room-pass-1234' },
        { Authorization: `Basic ${btoa('alice:room-pass-1234')}` },
      ];
      for (const headers of tries) {
        const res = await fetch(`${emulator.url}/admin/api/runners`, { headers });
        expect(res.status).toBe(401);
      }
      const runners = await fetch(`${emulator.url}/api/v4/user/runners`, {
        method: 'POST',
        headers: { 'PRIVATE-TOKEN': 'room-pass-1234', 'Content-Type': 'application/json' },
        body: JSON.stringify({ runner_type: 'instance_type' }),
      });
      expect(runners.status).toBe(401);
    } finally {
      await emulator.close();
      await rm(work, { recursive: true, force: true });
    }
  });
});
