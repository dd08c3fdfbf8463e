/**
 * Retrying a job as GitLab's `Ci::RetryJobService` does: a finished job (success, failed,
 * canceled) is cloned into a new job with a new id and token and the same name, stage and spec;
 * the old one is marked `retried` and stays readable (its log, its artifacts) but leaves the
 * pipeline: the clone takes its place in `pipeline.jobIds`, so the pipeline's status, later
 * stages and artifact dependencies see only the latest job of a name. Skipped jobs after it are
 * made processable again (`Ci::ResetSkippedJobsService`), the pipeline is processed again, and
 * a manual job's clone is enqueued at once (`enqueue_if_actionable`).
 */
import type { EmulatorContext } from '../context.ts';
import type { Job, Pipeline } from '../model.ts';
import { advancePipeline, newJobState } from '../collaborators.ts';
import { playJob } from './play-job.ts';

const RETRYABLE: readonly Job['status'][] = ['success', 'failed', 'canceled'];

/** Whether GitLab would offer a retry for `job` (`Ci::Build#retryable?`). */
export function isRetryable(job: Job): boolean {
  return job.retried !== true && RETRYABLE.includes(job.status);
}

/** Retry `job`; returns the new job, or null when the job cannot be retried. */
export function retryJob(ctx: EmulatorContext, job: Job): Job | null {
  const pipeline = ctx.state.pipelines.get(job.pipelineId);
  const at = pipeline?.jobIds.indexOf(job.id) ?? -1;
  if (!pipeline || at < 0 || !isRetryable(job)) return null;

  const clone: Job = {
    ...job,
    ...newJobState(),
    id: ctx.state.nextId('job'),
    // `allow_failure: exit_codes` turned a listed failure into an allowed one; the clone starts over.
    allowFailure: job.allowFailureExitCodes.length > 0 ? false : job.allowFailure,
    retryCount: (job.retryCount ?? 0) + 1,
  };
  job.retried = true;
  ctx.state.jobs.set(clone.id, clone);
  pipeline.jobIds[at] = clone.id;

  resetSkippedAfter(ctx, pipeline, clone);
  advancePipeline(ctx, pipeline.id);
  if (clone.status === 'manual') playJob(ctx, clone);
  ctx.state.changed();
  return clone;
}

/** `Ci::ResetSkippedJobsService`: skipped jobs in later stages or needing `job` go back to `created`. */
function resetSkippedAfter(ctx: EmulatorContext, pipeline: Pipeline, job: Job): void {
  const jobs = pipeline.jobIds
    .map((id) => ctx.state.jobs.get(id))
    .filter((other): other is Job => other !== undefined);
  const needing = new Set([job.name]);
  // `needs:` chains: whatever needs a job that needs the retried one depends on it too.
  for (let grew = true; grew;) {
    grew = false;
    for (const other of jobs) {
      if (needing.has(other.name) || !other.needs?.some((name) => needing.has(name))) continue;
      needing.add(other.name);
      grew = true;
    }
  }
  for (const other of jobs) {
    if (other.status !== 'skipped') continue;
    if (other.stageIndex <= job.stageIndex && !needing.has(other.name)) continue;
    other.status = 'created';
    other.finishedAt = null;
  }
}
