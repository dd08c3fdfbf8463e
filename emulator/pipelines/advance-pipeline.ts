/**
 * Moves a pipeline forward as GitLab's `Ci::ProcessPipelineService` does: a `created` job
 * becomes `pending` once its prerequisites (earlier stages, or its `needs:`) have finished and
 * their outcome matches its `when:`; otherwise it is `skipped`. The pipeline's status is then
 * recomputed from its jobs. Part A's handlers call this after every job transition.
 */
import type { EmulatorContext } from '../context.ts';
import type { Job, JobStatus, Pipeline } from '../model.ts';

const DONE: readonly JobStatus[] = ['success', 'failed', 'canceled', 'skipped', 'manual'];

/** Queue or skip the jobs whose prerequisites are done; update the pipeline's status. */
export function advancePipeline(ctx: EmulatorContext, pipelineId: number): void {
  const pipeline = ctx.state.pipelines.get(pipelineId);
  if (!pipeline) return;
  const jobs = pipeline.jobIds
    .map((id) => ctx.state.jobs.get(id))
    .filter((job): job is Job => job !== undefined);

  let queued = false;
  // Skipping a job can settle the prerequisites of another, so repeat until nothing moves.
  for (let moved = true; moved;) {
    moved = false;
    for (const job of jobs) {
      if (job.status !== 'created') continue;
      const outcome = prerequisitesOutcome(job, jobs);
      if (outcome === 'waiting') continue;
      moved = true;
      if (job.when === 'manual' && outcome === 'success') {
        job.status = 'manual'; // waits for a person; counts as done for later stages
      } else if (runsAfter(job.when, outcome)) {
        job.status = 'pending';
        job.queuedAt = ctx.clock.now();
        queued = true;
      } else {
        job.status = 'skipped';
        job.finishedAt = ctx.clock.now();
      }
    }
  }

  pipeline.status = pipelineStatus(jobs);
  if (queued) ctx.state.changed();
}

type Outcome = 'waiting' | 'success' | 'failed' | 'skipped';

/** How the jobs this one waits for ended: GitLab's composite status of the previous stages. */
function prerequisitesOutcome(job: Job, jobs: Job[]): Outcome {
  const prerequisites =
    job.needs === null
      ? jobs.filter((other) => other.stageIndex < job.stageIndex)
      : jobs.filter((other) => job.needs?.includes(other.name));
  if (prerequisites.some((other) => !DONE.includes(other.status) || isBlockingManual(other))) {
    return 'waiting';
  }
  if (prerequisites.some((other) => isBlockingFailure(other))) return 'failed';
  // A skipped `needs:` job skips its dependents; skipped earlier stages count as passed.
  if (job.needs !== null && prerequisites.some((other) => other.status === 'skipped')) {
    return 'skipped';
  }
  return 'success';
}

/** A manual job with `allow_failure: false` holds back what comes after it until played. */
function isBlockingManual(job: Job): boolean {
  return job.status === 'manual' && !job.allowFailure;
}

function isBlockingFailure(job: Job): boolean {
  return (job.status === 'failed' && !job.allowFailure) || job.status === 'canceled';
}

function runsAfter(when: Job['when'], outcome: Exclude<Outcome, 'waiting'>): boolean {
  switch (when) {
    case 'always':
      return true;
    case 'on_failure':
      return outcome === 'failed';
    case 'on_success':
      return outcome === 'success';
    default:
      return false;
  }
}

/** `Ci::HasStatus.composite_status` of a pipeline's jobs, reduced to the model's statuses. */
export function pipelineStatus(jobs: Job[]): Pipeline['status'] {
  const has = (...statuses: JobStatus[]) => jobs.some((job) => statuses.includes(job.status));
  if (jobs.length === 0) return 'skipped';
  if (has('running', 'canceling')) return 'running';
  if (has('pending')) {
    return has('success', 'failed', 'canceled', 'skipped') ? 'running' : 'pending';
  }
  if (jobs.some(isBlockingManual)) return 'manual';
  if (has('created')) return has('success', 'failed') ? 'running' : 'created';
  if (jobs.some((job) => job.status === 'failed' && !job.allowFailure)) return 'failed';
  if (has('canceled')) return 'canceled';
  if (jobs.every((job) => job.status === 'skipped')) return 'skipped';
  return 'success';
}
