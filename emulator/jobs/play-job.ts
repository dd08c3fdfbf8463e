/** Playing a manual job, as the job page's play button and GitLab's `Ci::PlayBuildService` do. */
import type { EmulatorContext } from '../context.ts';
import type { Job } from '../model.ts';
import { advancePipeline } from '../collaborators.ts';

/**
 * Play a manual job: it joins the queue. Returns false for a job that is not waiting for a
 * person (GitLab answers such a play with "Unplayable Job").
 */
export function playJob(ctx: EmulatorContext, job: Job): boolean {
  if (job.status !== 'manual') return false;
  job.status = 'pending';
  job.queuedAt = ctx.clock.now();
  advancePipeline(ctx, job.pipelineId);
  ctx.state.changed();
  return true;
}
