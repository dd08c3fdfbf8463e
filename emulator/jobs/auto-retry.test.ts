/**
 * `retry:` against a real emulator: a runner picks jobs and fails them over HTTP, and the
 * emulator re-creates them as GitLab's `AutoRetry` would, before the pipeline can end failed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProject } from '../git/index.ts';
import { startEmulator, type Emulator } from '../index.ts';
import type { Job, Pipeline, Project } from '../model.ts';
import { createPipeline } from '../pipelines/index.ts';
import { requestJob, sendJson, updateJob } from '../test-support/index.ts';

let emulator: Emulator;
let source: string;
let project: Project;
let runnerToken: string;

// A new emulator per test: a job one test leaves pending must not be the next test's pick.
beforeEach(async () => {
  emulator = await startEmulator({ longPollSeconds: 0 });
  source = await mkdtemp(join(tmpdir(), 'tabrunner-auto-retry-'));
  await writeFile(join(source, 'README.md'), 'retry\n');
  project = await createProject(emulator.context, { path: 'retry', sourceDir: source });
  runnerToken = emulator.createRunner().token;
});
afterEach(async () => {
  await emulator.close();
  await rm(source, { recursive: true, force: true });
});

const run = (yaml: string): Promise<Pipeline> =>
  createPipeline(emulator.context, project.id, { ref: 'main', yaml });

/** The pipeline's current job of `name`; and every job it had of that name, retried ones too. */
const jobOf = (pipeline: Pipeline, name: string): Job =>
  pipeline.jobIds.map((id) => emulator.state.jobs.get(id)!).find((job) => job.name === name)!;
const attemptsOf = (pipeline: Pipeline, name: string): Job[] =>
  [...emulator.state.jobs.values()].filter(
    (job) => job.pipelineId === pipeline.id && job.name === name,
  );

/** POST to the admin API, as the instructor's page buttons and tests do. */
const admin = (path: string, body: unknown = {}): Promise<Response> =>
  sendJson(`${emulator.url}/admin/api${path}`, 'POST', body, {
    'PRIVATE-TOKEN': emulator.adminToken,
  });

/** Pick the next job as a runner and fail it with `failure_reason` and `exit_code`. */
async function pickAndFail(reason: string, exitCode: number): Promise<number> {
  const picked = await requestJob(emulator.url, runnerToken);
  expect(picked.status).toBe(201);
  const { id, token } = (await picked.json()) as { id: number; token: string };
  const res = await updateJob(emulator.url, id, token, {
    state: 'failed',
    failure_reason: reason,
    exit_code: exitCode,
  });
  expect(res.status).toBe(200);
  return id;
}

describe('retry: as GitLab’s auto-retry', () => {
  it('runs a script failure with retry: 1 twice, holding later stages, then fails the pipeline', async () => {
    const pipeline = await run(
      'flaky:\n  stage: test\n  script: [exit 1]\n  retry: 1\n' +
        'after:\n  stage: deploy\n  script: [echo]\n',
    );
    const first = await pickAndFail('script_failure', 1);
    expect(emulator.state.jobs.get(first)).toMatchObject({ status: 'failed', retried: true });
    const second = jobOf(pipeline, 'flaky');
    expect(second).toMatchObject({ status: 'pending', retryCount: 1 });
    expect(second.id).not.toBe(first);
    expect(jobOf(pipeline, 'after').status).toBe('created');
    // GitLab's composite status leaves the retried job out: a pending and a created job.
    expect(pipeline.status).toBe('pending');

    expect(await pickAndFail('script_failure', 1)).toBe(second.id);
    expect(second.retried).toBeUndefined();
    expect(jobOf(pipeline, 'after').status).toBe('skipped');
    expect(pipeline.status).toBe('failed');
    expect(attemptsOf(pipeline, 'flaky')).toHaveLength(2);
    expect((await requestJob(emulator.url, runnerToken)).status).toBe(204);
  });

  it('retries only the failure reasons retry: when names', async () => {
    const when = 'retry: { max: 2, when: [runner_system_failure] }';
    const scripted = await run(`job:\n  script: [exit 1]\n  ${when}\n`);
    await pickAndFail('script_failure', 1);
    expect(scripted.status).toBe('failed');
    expect(attemptsOf(scripted, 'job')).toHaveLength(1);

    const lost = await run(`job:\n  script: [exit 1]\n  ${when}\n`);
    await pickAndFail('runner_system_failure', 1);
    expect(lost.status).toBe('pending');
    expect(jobOf(lost, 'job').retryCount).toBe(1);
    await pickAndFail('runner_system_failure', 1);
    expect(jobOf(lost, 'job').retryCount).toBe(2);
    await pickAndFail('runner_system_failure', 1);
    expect(lost.status).toBe('failed');
    expect(attemptsOf(lost, 'job')).toHaveLength(3);
  });

  it('with exit_codes alone retries only those exit codes, whatever the reason', async () => {
    const yaml = 'job:\n  script: [exit 1]\n  retry: { max: 1, exit_codes: [137, 255] }\n';
    const other = await run(yaml);
    await pickAndFail('script_failure', 1);
    expect(other.status).toBe('failed');

    const killed = await run(yaml);
    await pickAndFail('script_failure', 137);
    expect(killed.status).toBe('pending');
    expect(jobOf(killed, 'job').retryCount).toBe(1);
  });

  it('retries a job failed by the emulator itself, and never a missing dependency', async () => {
    const timedOut = await run('job:\n  script: [x]\n  retry: 2\n');
    const dropped = jobOf(timedOut, 'job');
    expect((await admin(`/jobs/${dropped.id}/fail`, { reason: 'job_execution_timeout' })).ok).toBe(
      true,
    );
    expect(dropped.retried).toBe(true);
    expect(jobOf(timedOut, 'job').status).toBe('pending');

    const missing = await run('job:\n  script: [x]\n  retry: 2\n');
    const job = jobOf(missing, 'job');
    await admin(`/jobs/${job.id}/fail`, { reason: 'missing_dependency_failure' });
    expect(job.retried).toBeUndefined();
    expect(missing.status).toBe('failed');
  });

  it('counts a retry from the page toward the maximum, as GitLab counts retried jobs', async () => {
    const pipeline = await run('job:\n  script: [x]\n  retry: 1\n');
    await pickAndFail('script_failure', 1);
    const canceled = await admin(`/jobs/${jobOf(pipeline, 'job').id}/cancel`);
    expect(canceled.status).toBe(200);
    expect(pipeline.status).toBe('canceled');
    const again = await admin(`/jobs/${jobOf(pipeline, 'job').id}/retry`);
    expect(again.status).toBe(201);
    expect(jobOf(pipeline, 'job').retryCount).toBe(2);
    await pickAndFail('script_failure', 1);
    expect(pipeline.status).toBe('failed');
  });

  it('refuses a retry GitLab refuses, with its words, through the admin API', async () => {
    const res = await admin(`/projects/${project.id}/pipelines`, {
      ref: 'main',
      yaml: 'job:\n  script: [x]\n  retry: 3\n',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: 'retry config must be less than or equal to 2' });
  });
});
