/**
 * Why a job failed, in GitLab's words (docs/runner-protocol.md §12.3, §9.7): the closed list
 * of reasons a runner sends, the mapping for servers that lack newer ones, and the closing line
 * of the trace for each kind of failure.
 *
 * Script failures close with `exit code N`, as GitLab's docker and kubernetes executors (and
 * step-runner) write it, not the shell executor's `exit status N`: tabrunner's sandboxes are
 * disposable, container-like environments, and "exit code" is what most GitLab users see.
 */
import { formatGoDuration } from './go-duration.ts';
import { jobFailed, jobSucceeded, systemFailure } from './log-printer.ts';

export type FailureReason =
  /** The user's script exited non-zero; also the default when no reason is known. */
  | 'script_failure'
  /** The runner or its sandbox failed: executor errors, unclassified errors, bad payloads. */
  | 'runner_system_failure'
  /** The job, `RUNNER_SCRIPT_TIMEOUT` or a stage timeout expired. */
  | 'job_execution_timeout'
  /** The job's image could not be pulled (falls back to runner_system_failure). */
  | 'image_pull_failure'
  /** Fallback for reasons the server does not list. */
  | 'unknown_failure'
  /** Runner or CI configuration only the runner can detect (falls back to script_failure). */
  | 'runner_configuration_error'
  /** An external service failed, e.g. the relay (falls back to runner_system_failure). */
  | 'runner_external_dependency_failure'
  /** The runner was stopped while the job ran, e.g. the tab closed (falls back to unknown_failure). */
  | 'runner_interrupted'
  /** The job needs something tabrunner cannot do (CI steps, services, a `release`). */
  | 'runner_unsupported'
  /** A dependency's artifacts could not be downloaded (falls back to runner_system_failure). */
  | 'missing_dependency_failure'
  /** Runner-internal marker for a graceful cancel; GitLab has no such value. */
  | 'job_canceled';

/** Every reason, for exhaustiveness checks and tests. */
export const allFailureReasons: readonly FailureReason[] = [
  'script_failure',
  'runner_system_failure',
  'job_execution_timeout',
  'image_pull_failure',
  'unknown_failure',
  'runner_configuration_error',
  'runner_external_dependency_failure',
  'runner_interrupted',
  'runner_unsupported',
  'missing_dependency_failure',
  'job_canceled',
];

/** Accepted by every GitLab, whatever `features.failure_reasons` says. */
export const alwaysSupportedFailureReasons: readonly FailureReason[] = [
  'script_failure',
  'runner_system_failure',
  'job_execution_timeout',
];

/** What to send instead when the server lacks a reason (followed until one is supported). */
export const failureReasonFallbacks: Partial<Record<FailureReason, FailureReason>> = {
  image_pull_failure: 'runner_system_failure',
  runner_configuration_error: 'script_failure',
  runner_external_dependency_failure: 'runner_system_failure',
  runner_interrupted: 'unknown_failure',
  runner_unsupported: 'runner_system_failure',
  missing_dependency_failure: 'runner_system_failure',
};

/**
 * The `failure_reason` to send: empty → `script_failure`; supported (listed by the server in
 * `features.failure_reasons`, or always supported) → as is; else its fallbacks; else
 * `unknown_failure` (docs/runner-protocol.md §12.3). `job_canceled` thus becomes `unknown_failure`.
 */
export function mapFailureReason(
  reason: FailureReason | '',
  supportedByServer: readonly string[],
): string {
  if (reason === '') return 'script_failure';
  const supported = (r: string) =>
    supportedByServer.includes(r) ||
    (alwaysSupportedFailureReasons as readonly string[]).includes(r);
  for (let r: FailureReason | undefined = reason; r; r = failureReasonFallbacks[r]) {
    if (supported(r)) return r;
  }
  return 'unknown_failure';
}

/** How a job ended, as the runner knows it. */
export type JobOutcome =
  | { kind: 'success' }
  /** The script (or after_script with AFTER_SCRIPT_IGNORE_ERRORS=false) exited non-zero. */
  | { kind: 'exit_code'; exitCode: number }
  /** The job timeout (`runner_info.timeout`) expired. */
  | { kind: 'job_timeout'; timeoutSeconds: number }
  /** `RUNNER_SCRIPT_TIMEOUT` expired; after_script still ran. */
  | { kind: 'script_timeout'; timeoutSeconds: number }
  /** Canceled from GitLab while running (graceful: after_script ran). */
  | { kind: 'canceled' }
  /** The runner or sandbox failed; `reason` defaults to runner_system_failure. */
  | { kind: 'system'; message: string; reason?: FailureReason }
  /** The job asks for something tabrunner cannot do; decided before running. */
  | { kind: 'unsupported'; message: string };

export type JobFailure = Exclude<JobOutcome, { kind: 'success' }>;

/** The runner-side failure reason of an outcome (before `mapFailureReason`). */
export function failureReasonOf(failure: JobFailure): FailureReason {
  switch (failure.kind) {
    case 'exit_code':
      return 'script_failure';
    case 'job_timeout':
    case 'script_timeout':
      return 'job_execution_timeout';
    case 'canceled':
      return 'job_canceled';
    case 'system':
      return failure.reason ?? 'runner_system_failure';
    case 'unsupported':
      return 'runner_unsupported';
  }
}

/** The `exit_code` to report with the final update, when there is one. */
export function exitCodeOf(failure: JobFailure): number | undefined {
  return failure.kind === 'exit_code' ? failure.exitCode : undefined;
}

/** The text after `Job failed: ` (docs/runner-protocol.md §9.7), e.g. `exit code 1`. */
export function failureText(failure: JobFailure): string {
  switch (failure.kind) {
    case 'exit_code':
      return `exit code ${failure.exitCode}`;
    case 'job_timeout':
      return `execution took longer than ${formatGoDuration(failure.timeoutSeconds * 1000)} seconds`;
    case 'script_timeout':
      // The Go runner's text: RUNNER_SCRIPT_TIMEOUT expires as a context deadline.
      return 'script timeout: context deadline exceeded';
    case 'canceled':
      return 'canceled';
    case 'system':
    case 'unsupported':
      return failure.message;
  }
}

/** The trace's last line for an outcome (docs/runner-protocol.md §9.7). */
export function closingLine(outcome: JobOutcome): string {
  if (outcome.kind === 'success') return jobSucceeded();
  if (outcome.kind === 'system' || outcome.kind === 'unsupported') {
    return systemFailure(failureText(outcome));
  }
  return jobFailed(failureText(outcome));
}

/** The warning printed when a timeout cut a stage short (docs/runner-protocol.md §9.7). */
export function timeoutWarningText(stage: string): string {
  return (
    `${stage} could not run to completion because the timeout was exceeded. ` +
    'For more control over job and script timeouts see: ' +
    'https://docs.gitlab.com/ci/runners/configure_runners/#set-script-and-after_script-timeouts'
  );
}

/** The warning printed on a graceful cancel, before after_script (docs/runner-protocol.md §9.7, §12.1). */
export const CANCELED_WARNING_TEXT = 'script canceled externally (UI, API)';
