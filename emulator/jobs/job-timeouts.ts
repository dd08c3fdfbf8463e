/**
 * Server-side job timeouts (docs/runner-protocol.md §12.2). GitLab's `TimedOutBuilds::DropRunningService` fails a
 * running job past its timeout with `job_execution_timeout`, and `DropCancelingService` ends a
 * canceling one as `canceled` with `job_execution_server_timeout`. GitLab waits a 15-minute
 * buffer past the timeout; the emulator waits `jobTimeoutGraceSeconds` (default 0, so tests can
 * use short timeouts).
 */
import type { EmulatorContext } from '../context.ts';
import type { Job } from '../model.ts';
import { dropJob, finishJob, requeueJob } from './job-transitions.ts';

/**
 * Fail or cancel every job past its timeout, and requeue two-phase jobs never accepted. Returns
 * the jobs it changed.
 */
export function expireTimedOutJobs(ctx: EmulatorContext): Job[] {
  const now = ctx.clock.now();
  const ended: Job[] = [];
  for (const job of ctx.state.jobs.values()) {
    if (job.startedAt === null) continue;
    if (job.status === 'pending' && job.awaitingAcceptance) {
      if (now - job.startedAt >= ctx.options.acceptanceTimeoutSeconds * 1000) {
        requeueJob(ctx, job);
        ended.push(job);
      }
      continue;
    }
    if (job.timeout <= 0) continue;
    if (now - job.startedAt < (job.timeout + ctx.options.jobTimeoutGraceSeconds) * 1000) continue;
    if (job.status === 'running') {
      dropJob(ctx, job, 'job_execution_timeout');
      ended.push(job);
    } else if (job.status === 'canceling') {
      finishJob(ctx, job, 'canceled', { failureReason: 'job_execution_server_timeout' });
      ended.push(job);
    }
  }
  return ended;
}

/** Check timeouts every `everyMs` until the returned stop function is called. */
export function watchJobTimeouts(ctx: EmulatorContext, everyMs = 200): () => void {
  const timer = setInterval(() => expireTimedOutJobs(ctx), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
