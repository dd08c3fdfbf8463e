/**
 * The scheduler behind `POST /jobs/request` (GitLab's `RegisterJobService`, docs/runner-protocol.md §3.2): the oldest
 * pending job the runner can pick gets assigned; a job needing a feature the manager did not
 * advertise is dropped with `runner_unsupported` and the search moves on.
 */
import type { EmulatorContext } from '../context.ts';
import type { Job, Runner, RunnerManager } from '../model.ts';
import { assignJob, dropJob } from './job-transitions.ts';

/** Whether `runner` serves `job`'s project: every project, unless it names its own (`projectIds`). */
export function servesProject(runner: Runner, job: Job): boolean {
  return !runner.projectIds || runner.projectIds.includes(job.projectId);
}

/** Whether `runner` may run `job` at all: project scope and tags (`can_pick?`). */
export function canPick(runner: Runner, job: Job): boolean {
  if (!servesProject(runner, job)) return false;
  if (job.tags.length === 0) return runner.runUntagged;
  return job.tags.every((tag) => runner.tags.includes(tag));
}

/** Features a job needs that the manager did not advertise as `true` (docs/runner-protocol.md §3.1.1). */
export function missingFeatures(job: Job, manager: RunnerManager): string[] {
  return job.requiredFeatures.filter((feature) => manager.features[feature] !== true);
}

/** Assign and return the next job for this runner manager, or null when there is none. */
export function pickJob(ctx: EmulatorContext, runner: Runner, manager: RunnerManager): Job | null {
  const queue = [...ctx.state.jobs.values()]
    .filter((job) => job.status === 'pending' && job.runnerId === null && !job.awaitingAcceptance)
    .sort((a, b) => (a.queuedAt ?? 0) - (b.queuedAt ?? 0) || a.id - b.id);
  for (const job of queue) {
    if (!canPick(runner, job)) continue;
    if (missingFeatures(job, manager).length > 0) {
      dropJob(ctx, job, 'runner_unsupported');
      continue;
    }
    assignJob(ctx, job, runner, manager);
    return job;
  }
  return null;
}
