import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject } from '../git/index.ts';
import { createTestContext, type TestContext } from '../git/test-context.ts';
import type { Job, JobStatus, Pipeline, Project } from '../model.ts';
import { finishJob } from '../jobs/job-transitions.ts';
import { advancePipeline, createPipeline, type JobSpecJson } from './index.ts';

describe('advancePipeline', () => {
  let t: TestContext;
  let source: string;
  let project: Project;

  beforeAll(async () => {
    t = await createTestContext();
    source = await mkdtemp(join(tmpdir(), 'tabrunner-advance-'));
    await writeFile(join(source, 'README.md'), 'x\n');
    project = await createProject(t.ctx, { path: 'p', sourceDir: source });
  });
  afterAll(async () => {
    await t.dispose();
    await rm(source, { recursive: true, force: true });
  });

  const create = (jobs: JobSpecJson[], stages?: string[]) =>
    createPipeline(t.ctx, project.id, { ref: 'main', jobs, ...(stages ? { stages } : {}) });
  const job = (pipeline: Pipeline, name: string): Job => {
    const found = pipeline.jobIds
      .map((id) => t.ctx.state.jobs.get(id))
      .find((j) => j?.name === name);
    if (!found) throw new Error(name);
    return found;
  };
  const statuses = (pipeline: Pipeline) =>
    Object.fromEntries(
      pipeline.jobIds.map((id) => [
        t.ctx.state.jobs.get(id)?.name,
        t.ctx.state.jobs.get(id)?.status,
      ]),
    );
  const finish = (pipeline: Pipeline, name: string, status: JobStatus) => {
    job(pipeline, name).status = status;
    advancePipeline(t.ctx, pipeline.id);
  };

  it('queues the first stage, then the next when it succeeds, and signals the queue', async () => {
    let signals = 0;
    const off = t.ctx.state.onChange(() => signals++);
    const pipeline = await create([
      { name: 'build', stage: 'build', script: ['b'] },
      { name: 'test', stage: 'test', script: ['t'] },
      { name: 'cleanup', stage: 'test', script: ['c'], when: 'on_failure' },
      { name: 'report', stage: 'deploy', script: ['r'], when: 'always' },
    ]);
    expect(statuses(pipeline)).toEqual({
      build: 'pending',
      test: 'created',
      cleanup: 'created',
      report: 'created',
    });
    expect(pipeline.status).toBe('pending');
    expect(signals).toBe(1);
    expect(job(pipeline, 'build').queuedAt).not.toBeNull();

    job(pipeline, 'build').status = 'running';
    advancePipeline(t.ctx, pipeline.id);
    expect(pipeline.status).toBe('running');
    finish(pipeline, 'build', 'success');
    expect(statuses(pipeline)).toEqual({
      build: 'success',
      test: 'pending',
      cleanup: 'skipped',
      report: 'created',
    });
    expect(signals).toBe(2);
    finish(pipeline, 'test', 'success');
    expect(job(pipeline, 'report').status).toBe('pending');
    finish(pipeline, 'report', 'success');
    expect(pipeline.status).toBe('success');
    off();
  });

  it('runs on_failure and always jobs after a failure and skips on_success ones', async () => {
    const pipeline = await create([
      { name: 'build', stage: 'build', script: ['b'] },
      { name: 'test', stage: 'test', script: ['t'] },
      { name: 'notify', stage: 'test', script: ['n'], when: 'on_failure' },
      { name: 'report', stage: 'deploy', script: ['r'], when: 'always' },
    ]);
    finish(pipeline, 'build', 'failed');
    expect(statuses(pipeline)).toEqual({
      build: 'failed',
      test: 'skipped',
      notify: 'pending',
      report: 'created',
    });
    finish(pipeline, 'notify', 'success');
    expect(job(pipeline, 'report').status).toBe('pending');
    finish(pipeline, 'report', 'success');
    expect(pipeline.status).toBe('failed');
  });

  it('lets an allowed failure pass to the next stage', async () => {
    const pipeline = await create([
      { name: 'lint', stage: 'build', script: ['l'], allow_failure: true },
      { name: 'test', stage: 'test', script: ['t'] },
    ]);
    finish(pipeline, 'lint', 'failed');
    expect(job(pipeline, 'test').status).toBe('pending');
    finish(pipeline, 'test', 'success');
    expect(pipeline.status).toBe('success');
  });

  it('allows a failure whose exit code is listed in allow_failure: exit_codes, and only that', async () => {
    const pipeline = await create([
      { name: 'flaky', stage: 'build', script: ['f'], allow_failure: { exit_codes: [3, 137] } },
      { name: 'strict', stage: 'build', script: ['s'], allow_failure: { exit_codes: 3 } },
      { name: 'test', stage: 'test', script: ['t'] },
    ]);
    finishJob(t.ctx, job(pipeline, 'flaky'), 'failed', {
      failureReason: 'script_failure',
      exitCode: 137,
    });
    expect(job(pipeline, 'flaky').allowFailure).toBe(true);
    finishJob(t.ctx, job(pipeline, 'strict'), 'failed', {
      failureReason: 'script_failure',
      exitCode: 1,
    });
    expect(job(pipeline, 'strict').allowFailure).toBe(false);
    expect(job(pipeline, 'test').status).toBe('skipped');
    expect(pipeline.status).toBe('failed');
  });

  it('starts a job with needs as soon as its needs finish, before its stage', async () => {
    const pipeline = await create([
      { name: 'a', stage: 'build', script: ['a'] },
      { name: 'slow', stage: 'build', script: ['s'] },
      { name: 'b', stage: 'test', script: ['b'], needs: ['a'] },
      { name: 'c', stage: 'test', script: ['c'], needs: [] },
    ]);
    expect(statuses(pipeline)).toEqual({
      a: 'pending',
      slow: 'pending',
      b: 'created',
      c: 'pending',
    });
    finish(pipeline, 'a', 'success');
    expect(job(pipeline, 'b').status).toBe('pending');
    expect(job(pipeline, 'slow').status).toBe('pending');
    expect(job(pipeline, 'b').dependencies).toEqual(['a']);
  });

  it('passes artifacts of all earlier stages by default', async () => {
    const pipeline = await create([
      { name: 'a', stage: 'build', script: ['a'] },
      { name: 'b', stage: 'build', script: ['b'] },
      { name: 't', stage: 'test', script: ['t'] },
      { name: 'u', stage: 'test', script: ['u'], dependencies: [] },
    ]);
    expect(job(pipeline, 't').dependencies).toEqual(['a', 'b']);
    expect(job(pipeline, 'u').dependencies).toEqual([]);
  });

  it('intersects needs and dependencies as Ci::BuildDependencies does', async () => {
    const pipeline = await create([
      { name: 'a', stage: 'build', script: ['a'] },
      { name: 'b', stage: 'build', script: ['b'] },
      { name: 'none', stage: 'test', script: ['n'], needs: [] },
      { name: 'noart', stage: 'test', script: ['n'], needs: [{ job: 'a', artifacts: false }, 'b'] },
      { name: 'both', stage: 'test', script: ['n'], needs: ['a', 'b'], dependencies: ['b'] },
      {
        name: 'deps',
        stage: 'test',
        script: ['n'],
        needs: [{ job: 'a', artifacts: false }],
        dependencies: ['a'],
      },
    ]);
    expect(job(pipeline, 'none').dependencies).toEqual([]);
    expect(job(pipeline, 'noart').dependencies).toEqual(['b']);
    expect(job(pipeline, 'both').dependencies).toEqual(['b']);
    // GitLab accepts it (a is in needs) but downloads nothing: needs said no artifacts.
    expect(job(pipeline, 'deps').dependencies).toEqual([]);
  });

  it("refuses dependencies that are not in needs, in GitLab's words", async () => {
    await expect(
      create([
        { name: 'a', stage: 'build', script: ['a'] },
        { name: 'b', stage: 'build', script: ['b'] },
        { name: 't', stage: 'test', script: ['t'], needs: ['a'], dependencies: ['a', 'b'] },
      ]),
    ).rejects.toThrow('jobs:t dependencies the b should be part of needs');
  });

  it('writes refs/pipelines for the pipeline and keeps manual jobs waiting', async () => {
    const pipeline = await create([
      { name: 'deploy', stage: 'deploy', script: ['d'], when: 'manual' },
    ]);
    expect(job(pipeline, 'deploy').status).toBe('manual');
    const { execFile } = await import('node:child_process');
    const sha = await new Promise<string>((resolve, reject) =>
      execFile(
        'git',
        [`--git-dir=${project.gitDir}`, 'rev-parse', `refs/pipelines/${pipeline.id}`],
        (e, out) => (e ? reject(e) : resolve(out.trim())),
      ),
    );
    expect(sha).toBe(pipeline.sha);
  });
  it('blocks on a manual job from rules until it is played, as GitLab does (allow_failure false)', async () => {
    const yaml = `
stages: [build, test, deploy]
build:
  stage: build
  script: [b]
gate:
  stage: test
  script: [g]
  rules:
    - when: manual
optional:
  stage: test
  script: [o]
  rules:
    - when: manual
      allow_failure: true
ship:
  stage: deploy
  needs: [gate]
  script: [s]
later:
  stage: deploy
  script: [l]
`;
    const pipeline = await createPipeline(t.ctx, project.id, { ref: 'main', yaml });
    finish(pipeline, 'build', 'success');
    expect(statuses(pipeline)).toEqual({
      build: 'success',
      gate: 'manual',
      optional: 'manual',
      ship: 'created',
      later: 'created',
    });
    expect(pipeline.status).toBe('manual');
    finish(pipeline, 'gate', 'success');
    expect(statuses(pipeline)).toMatchObject({ ship: 'pending', later: 'pending' });
    expect(pipeline.status).toBe('running');
  });

  it('lets a job-level manual job pass by without blocking', async () => {
    const pipeline = await create([
      { name: 'optional', stage: 'build', script: ['o'], when: 'manual' },
      { name: 'test', stage: 'test', script: ['t'] },
    ]);
    expect(statuses(pipeline)).toEqual({ optional: 'manual', test: 'pending' });
    finish(pipeline, 'test', 'success');
    expect(pipeline.status).toBe('success');
  });
});
