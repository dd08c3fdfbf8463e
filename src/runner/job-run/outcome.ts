/** How a job ended, from why it was interrupted and what failed (docs/runner-protocol.md §12). */
import type { JobFailure, JobOutcome, JobPlan, PlanRejection } from '../../job/index.ts';

/** Why the script part of a job ended early. */
export type Interruption =
  'canceled' | 'aborted' | 'job-timeout' | 'script-timeout' | 'runner-stopped';

/**
 * A job whose tab closed under it (docs/runner-protocol.md §7.6), said as GitLab's runner says a
 * build its process was stopped in: a system failure, `aborted: <signal>`.
 */
export const TAB_CLOSED: JobFailure = { kind: 'system', message: 'aborted: the tab was closed' };

/** How the job ended: an interruption outranks what the script did. */
export function outcomeOf(
  interruption: Interruption | null,
  failure: JobFailure | null,
  plan: JobPlan | PlanRejection,
): JobOutcome {
  const seconds = plan.kind === 'plan' ? plan.timeouts : null;
  switch (interruption) {
    case 'job-timeout':
      return { kind: 'job_timeout', timeoutSeconds: seconds?.jobSeconds ?? 0 };
    case 'script-timeout':
      return { kind: 'script_timeout', timeoutSeconds: seconds?.scriptSeconds ?? 0 };
    case 'canceled':
    case 'aborted':
      return { kind: 'canceled' };
    case 'runner-stopped':
      return {
        kind: 'system',
        message: 'the runner was stopped while the job ran (tab closed or runner stopped)',
      };
    case null:
      return failure ?? { kind: 'success' };
  }
}

/** `CI_JOB_STATUS` for after_script (docs/runner-protocol.md §10.1). */
export function jobStatusFor(
  interruption: Interruption | null,
  failure: JobFailure | null,
): string {
  if (interruption === 'canceled') return 'canceled';
  if (interruption === 'script-timeout') return 'timedout';
  return failure ? 'failed' : 'success';
}

/** The status GitLab shows once it applied our final state (a 403 after a lost 200 says so). */
export function gitlabStatusOf(outcome: JobOutcome): string {
  if (outcome.kind === 'success') return 'success';
  return outcome.kind === 'canceled' ? 'canceled' : 'failed';
}
