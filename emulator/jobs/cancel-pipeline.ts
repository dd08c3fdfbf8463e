/**
 * Canceling a pipeline as GitLab's `Ci::CancelPipelineService` does: every job still cancelable
 * (created, pending, running; GitLab's `CANCELABLE_STATUSES`) is canceled as the job's own
 * cancel button would, so a running job whose manager cancels gracefully goes to `canceling`.
 * Finished and manual jobs stay as they are.
 */
import type { EmulatorContext } from '../context.ts';
import type { Job, Pipeline } from '../model.ts';
import { cancelJob } from './job-transitions.ts';

const CANCELABLE: readonly Job['status'][] = ['created', 'pending', 'running'];

/** Whether the pipeline has a job left to cancel. */
export function isCancelable(ctx: EmulatorContext, pipeline: Pipeline): boolean {
  return pipeline.jobIds.some((id) => {
    const job = ctx.state.jobs.get(id);
    return job !== undefined && CANCELABLE.includes(job.status);
  });
}

/** Cancel every cancelable job of the pipeline; returns how many changed. */
export function cancelPipeline(ctx: EmulatorContext, pipeline: Pipeline): number {
  // Latest stages first: canceling an early job first would let the pipeline skip the later
  // `created` ones before they are reached, and GitLab shows them canceled.
  const jobs = pipeline.jobIds
    .map((id) => ctx.state.jobs.get(id))
    .filter((job): job is Job => job !== undefined && CANCELABLE.includes(job.status))
    .sort((a, b) => b.stageIndex - a.stageIndex);
  for (const job of jobs) cancelJob(ctx, job);
  return jobs.length;
}
