/**
 * Trace and state updates count as contact from the job's runner manager (`heartbeat_runner`),
 * and `PUT` carries a fresh `info` (docs/runner-protocol.md §7.1).
 */
import type { EmulatorContext } from '../context.ts';
import type { Job } from '../model.ts';
import { touchManager } from '../runners/index.ts';

/** Refresh the manager the job runs on; store `info` when the request sent one. */
export function touchManagerOfJob(
  ctx: EmulatorContext,
  job: Job,
  info?: Record<string, unknown>,
): void {
  if (job.runnerId === null) return;
  const runner = ctx.state.runners.get(job.runnerId);
  if (runner) touchManager(ctx, runner, job.systemId ?? undefined, info);
}

/** `X-GitLab-Trace-Update-Interval`: 3 while someone watches the job page, else 60 (docs/runner-protocol.md §6.5). */
export function traceUpdateInterval(ctx: EmulatorContext, job: Job): string {
  return job.watchedUntil > ctx.clock.now() ? '3' : '60';
}
