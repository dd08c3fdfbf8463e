/**
 * Whether a job that just failed is retried automatically, as GitLab's
 * `Gitlab::Ci::Build::AutoRetry#allowed?` decides after every transition to `failed`: the job
 * is retryable and fewer jobs of its name were retried than the maximum for its failure. That
 * maximum is 0 for the reasons a retry cannot cure, else the `retry: max` when the reason is in
 * `retry: when` (default `always`, or nothing when `exit_codes` is given) or the exit code is in
 * `retry: exit_codes`, else 2 for `scheduler_failure`, else 0.
 */
import type { Job } from '../model.ts';
import { isRetryable } from './retry-job.ts';

/** `AutoRetry::RETRY_OVERRIDES`: failures no `retry:` retries. */
const NEVER_RETRIED: readonly string[] = [
  'ci_quota_exceeded',
  'no_matching_runner',
  'missing_dependency_failure',
  'forward_deployment_failure',
  'environment_creation_failure',
];

/** `AutoRetry::DEFAULT_RETRIES`: retries GitLab makes without any `retry:`. */
const DEFAULT_RETRIES: Readonly<Record<string, number>> = { scheduler_failure: 2 };

/** Whether GitLab would re-create `job`, which has just failed, at once. */
export function isAutoRetryAllowed(job: Job): boolean {
  if (job.status !== 'failed' || !isRetryable(job)) return false;
  const max = maxAllowedRetries(job);
  return max > 0 && max > (job.retryCount ?? 0);
}

function maxAllowedRetries(job: Job): number {
  const reason = job.failureReason ?? 'unknown_failure';
  if (NEVER_RETRIED.includes(reason)) return 0;
  return configuredMax(job, reason) ?? DEFAULT_RETRIES[reason] ?? 0;
}

/** The job's `retry: max` when its `when` or `exit_codes` cover this failure. */
function configuredMax(job: Job, reason: string): number | undefined {
  const retry = job.retry;
  if (!retry) return undefined;
  const when = retry.when ?? (retry.exitCodes ? [] : ['always']);
  const onReason = when.includes(reason) || when.includes('always');
  const onExitCode = job.exitCode !== null && (retry.exitCodes ?? []).includes(job.exitCode);
  return onReason || onExitCode ? retry.max : undefined;
}
