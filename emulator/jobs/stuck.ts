/**
 * GitLab's "stuck" banner for a pending job no online runner can pick (`Ci::Build#stuck?` and
 * the job page's stuck block): a runner is online while one of its managers contacted GitLab
 * within the last two hours (`Ci::Runner::ONLINE_CONTACT_TIMEOUT`) and it is not paused.
 */
import type { EmulatorContext } from '../context.ts';
import type { Job, Runner } from '../model.ts';
import { canPick, servesProject } from './pick-job.ts';

export const ONLINE_CONTACT_MS = 2 * 60 * 60 * 1000;

function isOnline(runner: Runner, now: number): boolean {
  if (runner.paused) return false;
  return [...runner.managers.values()].some((m) => now - m.contactedAt <= ONLINE_CONTACT_MS);
}

/** GitLab's words for why `job` waits, or null when it is not stuck. */
export function stuckMessage(ctx: EmulatorContext, job: Job): string | null {
  if (job.status !== 'pending') return null;
  const now = ctx.clock.now();
  const online = [...ctx.state.runners.values()].filter((r) => isOnline(r, now));
  if (online.some((runner) => canPick(runner, job))) return null;
  const forProject = online.filter((runner) => servesProject(runner, job));
  if (forProject.length === 0)
    return "This job is stuck because the project doesn't have any runners online assigned to it.";
  if (job.tags.length > 0)
    return (
      "This job is stuck because you don't have any active runners online or available with any " +
      `of these tags assigned to them: ${job.tags.join(', ')}`
    );
  return "This job is stuck because you don't have any active runners that can run this job.";
}
