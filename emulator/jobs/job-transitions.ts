/**
 * Job state transitions as GitLab applies them (docs/runner-protocol.md §7, §12.1, §12.2, §13): assign, accept,
 * finish, drop, cancel. A job that starts running makes its pipeline `running` (GitLab
 * processes the pipeline after every job transition, `CommitStatus`'s `after_transition`); every final transition lets the pipeline advance and
 * wakes waiting runners. HTTP handlers and the admin API call these; nothing else writes `job.status`.
 */
import type { EmulatorContext } from '../context.ts';
import type { Job, JobStatus, Runner, RunnerManager } from '../model.ts';
import { FINISHED_STATUSES } from '../model.ts';
import { advancePipeline } from '../collaborators.ts';
import { isAutoRetryAllowed } from './auto-retry.ts';
import { recordedFailureReason } from './failure-reasons.ts';
import { retryJob } from './retry-job.ts';

/** Whether the job accepts trace and state updates (docs/runner-protocol.md §6.2). */
export function isProcessing(job: Job): boolean {
  return job.status === 'running' || job.status === 'canceling';
}

/** Whether the job is finished (no runner may touch it any more). */
export function isFinished(job: Job): boolean {
  return FINISHED_STATUSES.includes(job.status);
}

/**
 * Hand `job` to a runner manager. With `two_phase_job_commit` the job stays `pending` until the
 * runner accepts it (docs/runner-protocol.md §7.5); otherwise it runs at once. The runner's `maximum_timeout` caps the
 * job's timeout, as GitLab does at pickup.
 */
export function assignJob(
  ctx: EmulatorContext,
  job: Job,
  runner: Runner,
  manager: RunnerManager,
): void {
  job.runnerId = runner.id;
  job.systemId = manager.systemId;
  if (runner.maximumTimeout !== null && runner.maximumTimeout > 0) {
    job.timeout = Math.min(job.timeout, runner.maximumTimeout);
  }
  job.startedAt = ctx.clock.now();
  if (manager.features['two_phase_job_commit'] === true) {
    job.awaitingAcceptance = true;
  } else {
    startRunning(ctx, job);
  }
}

/** The runner accepted a two-phase job with `PUT state=running` (docs/runner-protocol.md §7.5). */
export function acceptJob(ctx: EmulatorContext, job: Job): void {
  job.awaitingAcceptance = false;
  job.startedAt = ctx.clock.now();
  startRunning(ctx, job);
}

/**
 * The job runs: its pipeline's status is computed again, so a pipeline shows `running` while a
 * job runs rather than `pending` until one finishes. Nothing is queued by it: a running job
 * settles no other job's prerequisites.
 */
function startRunning(ctx: EmulatorContext, job: Job): void {
  job.status = 'running';
  advancePipeline(ctx, job.pipelineId);
}

/** A two-phase job the runner never accepted goes back to the queue for any runner (docs/runner-protocol.md §7.5). */
export function requeueJob(ctx: EmulatorContext, job: Job): void {
  job.awaitingAcceptance = false;
  job.runnerId = null;
  job.systemId = null;
  job.startedAt = null;
  job.status = 'pending';
  job.queuedAt = ctx.clock.now();
  ctx.state.changed();
}

/** Outcome recorded with a final state. */
export interface FinishDetails {
  failureReason?: unknown;
  exitCode?: number | null;
}

/**
 * Move a job to a final state, record why, and let its pipeline advance. A failure its
 * `retry:` covers is retried here, the one place jobs fail, before the pipeline sees it, so
 * the pipeline does not end `failed` while GitLab would be re-creating the job.
 */
export function finishJob(
  ctx: EmulatorContext,
  job: Job,
  status: Extract<JobStatus, 'success' | 'failed' | 'canceled'>,
  details: FinishDetails = {},
): void {
  job.status = status;
  job.awaitingAcceptance = false;
  job.pendingFinalSince = null;
  job.finishedAt = ctx.clock.now();
  job.failureReason =
    status === 'failed'
      ? recordedFailureReason(details.failureReason)
      : typeof details.failureReason === 'string'
        ? recordedFailureReason(details.failureReason)
        : null;
  if (details.exitCode !== undefined) job.exitCode = details.exitCode;
  // GitLab's `drop_with_exit_code!`: an exit code listed in `allow_failure: exit_codes` turns
  // the failure into an allowed one before the pipeline moves on.
  if (
    status === 'failed' &&
    job.exitCode !== null &&
    job.allowFailureExitCodes.includes(job.exitCode)
  ) {
    job.allowFailure = true;
  }
  // GitLab's `after_transition any => :failed` runs `Ci::RetryJobService` when auto-retry allows.
  const retriedAs = isAutoRetryAllowed(job) ? retryJob(ctx, job) : null;
  if (retriedAs === null) advancePipeline(ctx, job.pipelineId);
  ctx.state.changed();
}

/** GitLab's `drop!(reason)`: fail a job that is not finished yet. */
export function dropJob(ctx: EmulatorContext, job: Job, reason: string): void {
  if (isFinished(job)) return;
  finishJob(ctx, job, 'failed', { failureReason: reason });
}

/**
 * Cancel as the UI does (docs/runner-protocol.md §12.1): a running job goes to `canceling` when its manager advertised
 * `cancel_gracefully`, else straight to `canceled`; pending and created jobs are canceled; a
 * second cancel of a `canceling` job forces `canceled`. Finished jobs do not change.
 */
export function cancelJob(ctx: EmulatorContext, job: Job): JobStatus {
  if (isFinished(job)) return job.status;
  if (job.status === 'running' && managerOf(ctx, job)?.features['cancel_gracefully'] === true) {
    job.status = 'canceling';
    ctx.state.changed();
    return job.status;
  }
  finishJob(ctx, job, 'canceled');
  return job.status;
}

/** The manager a job was handed to, if it still exists. */
export function managerOf(ctx: EmulatorContext, job: Job): RunnerManager | undefined {
  if (job.runnerId === null || job.systemId === null) return undefined;
  return ctx.state.runners.get(job.runnerId)?.managers.get(job.systemId);
}
