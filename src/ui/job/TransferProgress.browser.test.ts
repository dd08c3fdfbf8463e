/** The job panel's progress line in a real page, fed runner events through a real `JobView`. */
import { afterEach, describe, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import type { JobTransfer } from '../../runner/index.ts';
import { JobView } from '../state/job-view.svelte.ts';
import { cleanup, render } from '../testing/render.ts';
import CurrentJob from './CurrentJob.svelte';

const MiB = 1024 * 1024;
const JOB = {
  id: 42,
  name: 'test',
  stage: 'test',
  projectPath: 'group/project',
  pipelineId: 7,
  url: 'http://gitlab.test/group/project/-/jobs/42',
};

function runningJob(stage: string): JobView {
  const job = new JobView();
  job.handle({ type: 'job-started', job: JOB, at: 0 });
  job.handle({ type: 'job-stage', jobId: JOB.id, stage, at: 1 });
  return job;
}

const transfer = (jobId: number, t: JobTransfer) =>
  ({ type: 'job-transfer', jobId, transfer: t }) as const;

describe('the progress line', () => {
  afterEach(cleanup);

  it('shows a download as a progress bar with its numbers, and goes away when the stage ends', async () => {
    const job = runningJob('download_artifacts');
    render(CurrentJob, { job });
    await expect.element(page.getByTestId('current-job')).toBeVisible();
    expect(document.querySelector('[data-testid="job-transfer"]')).toBeNull();

    job.handle(
      transfer(JOB.id, {
        direction: 'download',
        name: 'build',
        phase: 'downloading',
        unit: 'bytes',
        loaded: MiB,
        total: 4 * MiB,
        done: false,
      }),
    );
    const bar = page.getByRole('progressbar', { name: 'Downloading artifacts of build' });
    await expect.element(bar).toHaveAttribute('aria-valuenow', String(MiB));
    await expect.element(bar).toHaveAttribute('aria-valuemax', String(4 * MiB));
    await expect.element(bar).toHaveAttribute('aria-valuetext', '1.0 MiB of 4.0 MiB');
    await expect.element(page.getByTestId('job-transfer')).toHaveTextContent('1.0 MiB of 4.0 MiB');

    // Another job's progress is not this panel's business.
    job.handle(
      transfer(JOB.id + 1, {
        direction: 'download',
        name: 'other',
        phase: 'downloading',
        unit: 'bytes',
        loaded: 0,
        done: false,
      }),
    );
    await expect.element(bar).toHaveAttribute('aria-valuenow', String(MiB));

    job.handle({ type: 'job-stage', jobId: JOB.id, stage: 'step_script', at: 2 });
    await expect.poll(() => document.querySelector('[data-testid="job-transfer"]')).toBeNull();
  });

  it('shows an upload in flight as its size in words, with no progress bar to fake', async () => {
    const job = runningJob('upload_artifacts_on_success');
    render(CurrentJob, { job });
    job.handle(
      transfer(JOB.id, {
        direction: 'upload',
        name: 'artifacts.zip',
        phase: 'uploading',
        unit: 'bytes',
        loaded: 0,
        bytes: 3 * MiB,
        done: false,
      }),
    );
    const line = page.getByTestId('job-transfer');
    await expect.element(line).toHaveTextContent('Uploading artifacts.zip');
    await expect.element(line).toHaveTextContent('sending 3.0 MiB');
    expect(document.querySelector('[role="progressbar"]')).toBeNull();

    job.handle(
      transfer(JOB.id, {
        direction: 'upload',
        name: 'artifacts.zip',
        phase: 'uploading',
        unit: 'bytes',
        loaded: 3 * MiB,
        total: 3 * MiB,
        bytes: 3 * MiB,
        done: true,
      }),
    );
    await expect
      .element(page.getByRole('progressbar', { name: 'Uploaded artifacts.zip' }))
      .toHaveAttribute('aria-valuenow', String(3 * MiB));

    job.handle({
      type: 'job-finished',
      job: JOB,
      result: 'success',
      failureReason: null,
      exitCode: null,
      startedAt: 0,
      finishedAt: 3,
      stages: [],
      reported: true,
    });
    await expect.poll(() => document.querySelector('[data-testid="job-transfer"]')).toBeNull();
  });
});
