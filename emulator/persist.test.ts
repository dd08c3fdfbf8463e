/**
 * Saving and restoring the emulator's state (emulator/persist.ts): what a second emulator
 * restores from the JSON is what the first one had, down to managers, logs, artifacts and the
 * commit facts jobs picked after a restart still need.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SAMPLE_DIR } from './cli.ts';
import { createProject } from './git/index.ts';
import { startEmulator, type Emulator } from './index.ts';
import { restoreEmulatorState, saveEmulatorState, savedEmulatorStateSchema } from './persist.ts';
import { dropJob } from './jobs/index.ts';
import { createPipeline } from './pipelines/index.ts';
import { createPipelineWithoutJobs } from './pipelines/failed-pipeline.ts';
import { pipelineExtras } from './pipelines/pipeline-extras.ts';
import { patchTrace, requestJob, sendJson } from './test-support/index.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function emulatorOn(dataDir: string): Promise<Emulator> {
  const emulator = await startEmulator({ dataDir });
  cleanups.push(() => emulator.close());
  return emulator;
}

function restoredSha(emulator: Emulator, pipelineId: number): string {
  const sha = emulator.state.pipelines.get(pipelineId)?.sha;
  if (!sha) throw new Error(`no pipeline ${pipelineId}`);
  return sha;
}

describe('saving the emulator state', () => {
  it('restores what was saved, through JSON, into a new emulator', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tabrunner-persist-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const first = await emulatorOn(dataDir);
    const project = await createProject(first.context, {
      path: 'sample',
      namespace: 'demo',
      sourceDir: SAMPLE_DIR,
    });
    const pipeline = await createPipeline(first.context, project.id, { ref: 'main' });
    const runner = first.createRunner({ description: 'tab' });
    await sendJson(`${first.url}/api/v4/runners/verify`, 'POST', {
      token: runner.token,
      system_id: 's_persist0001',
      info: { features: { trace_checksum: true } },
    });
    const job = (await (await requestJob(first.url, runner.token)).json()) as {
      id: number;
      token: string;
    };
    expect((await patchTrace(first.url, job.id, job.token, 0, 'log\n')).status).toBe(202);
    // What issue 17's workshop adds to jobs and pipelines: retry options, a retried job and its
    // new attempt, parallel instances, and a pipeline recorded with a config error.
    const workshop = await createPipeline(first.context, project.id, {
      ref: 'main',
      yaml: 'flaky:\n  retry: {max: 2, when: [stuck_or_timeout_failure], exit_codes: [137]}\n  script: [x]\nshard:\n  parallel: 2\n  script: [y]\n',
    });
    const flaky = [...first.state.jobs.values()].find(
      (j) => j.pipelineId === workshop.id && j.name === 'flaky',
    );
    if (!flaky) throw new Error('no flaky job');
    dropJob(first.context, flaky, 'stuck_or_timeout_failure');
    expect(flaky.retried).toBe(true);
    const commit = restoredSha(first, pipeline.id);
    await createPipelineWithoutJobs(
      first.context,
      project.id,
      { ref: 'main', sha: commit, beforeSha: commit, tag: false, source: 'push' },
      { status: 'failed', configError: 'jobs:x config contains unknown keys: scirpt' },
    );

    const saved = saveEmulatorState(first.state, dataDir);
    const text = JSON.stringify(saved);
    const second = await emulatorOn(dataDir);
    restoreEmulatorState(second.state, savedEmulatorStateSchema.parse(JSON.parse(text)), dataDir);

    expect(saveEmulatorState(second.state, dataDir)).toEqual(saved);
    expect(second.state.projects.get(project.id)?.gitDir).toBe(project.gitDir);
    expect(second.state.runnerByToken(runner.token)?.managers.has('s_persist0001')).toBe(true);
    const restored = second.state.pipelines.get(pipeline.id);
    expect(restored && pipelineExtras(restored).commit?.message).toBe('Initial commit\n');
    // Ids go on from where they were: a new runner never takes the id a tab still holds.
    expect(second.createRunner().id).toBe(runner.id + 1);
    const jobsOf = (id: number) =>
      [...second.state.jobs.values()].filter((j) => j.pipelineId === id);
    const again = jobsOf(workshop.id).find((j) => j.name === 'flaky' && !j.retried);
    expect(again?.retryCount).toBe(1);
    expect(again?.retry?.exitCodes).toEqual([137]);
    expect(
      jobsOf(workshop.id)
        .map((j) => j.parallel?.index ?? 0)
        .sort(),
    ).toEqual([0, 0, 1, 2]);
    expect([...second.state.pipelines.values()].at(-1)?.configError).toContain('scirpt');
  });

  it('refuses a saved state whose job belongs to no saved pipeline', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tabrunner-persist-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const first = await emulatorOn(dataDir);
    const project = await createProject(first.context, { path: 'p', sourceDir: SAMPLE_DIR });
    await createPipeline(first.context, project.id, { ref: 'main' });
    const saved = saveEmulatorState(first.state, dataDir);
    const second = await emulatorOn(dataDir);
    expect(() => restoreEmulatorState(second.state, { ...saved, pipelines: [] }, dataDir)).toThrow(
      /belongs to pipeline \d+, which is not saved/,
    );
  });
});
