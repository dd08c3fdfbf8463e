/**
 * A pipeline's status follows its jobs as they start, not only as they finish: over the runner
 * API, a picked job makes its pipeline `running`, and with two-phase commit only the runner's
 * acceptance does.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../index.ts';
import { insertSimpleJob, requestJob, updateJob } from '../test-support/index.ts';

let emulator: Emulator;

beforeEach(async () => {
  emulator = await startEmulator({ longPollSeconds: 0 });
});
afterEach(() => emulator.close());

const pipelineOf = (jobId: number) =>
  emulator.state.pipelines.get(emulator.state.jobs.get(jobId)?.pipelineId ?? -1);

describe('a pipeline while its job runs', () => {
  it('is running once a runner picks its pending job', async () => {
    const job = insertSimpleJob(emulator.state);
    expect(pipelineOf(job.id)?.status).toBe('pending');
    const runner = emulator.createRunner();
    expect((await requestJob(emulator.url, runner.token)).status).toBe(201);
    expect(job.status).toBe('running');
    expect(pipelineOf(job.id)?.status).toBe('running');
  });

  it('stays pending while a two-phase job awaits acceptance, and runs when the runner accepts', async () => {
    const job = insertSimpleJob(emulator.state);
    const runner = emulator.createRunner();
    const picked = await requestJob(emulator.url, runner.token, {
      features: { two_phase_job_commit: true },
    });
    expect(picked.status).toBe(201);
    expect(job.awaitingAcceptance).toBe(true);
    expect(pipelineOf(job.id)?.status).toBe('pending');

    expect((await updateJob(emulator.url, job.id, job.token, { state: 'running' })).status).toBe(
      200,
    );
    expect(job.status).toBe('running');
    expect(pipelineOf(job.id)?.status).toBe('running');
  });
});
