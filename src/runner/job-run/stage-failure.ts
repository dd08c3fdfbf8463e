/**
 * A stage that cannot go on throws a `StageFailure` carrying the failure the job reports (for
 * example `missing_dependency_failure` when a dependency's artifact is gone); any other error a
 * stage throws is reported as a runner system failure with its message.
 */
import { hasErrorCode, TabrunnerError } from '../../errors/index.ts';
import type { JobFailure } from '../../job/index.ts';

export class StageFailure extends TabrunnerError<{ failure: JobFailure }> {
  constructor(failure: JobFailure) {
    super('JobStageFailed', failure.kind === 'system' ? failure.message : failure.kind, {
      failure,
    });
  }
}

/** The failure a job reports for an error a stage threw. */
export function failureOf(err: unknown): JobFailure {
  if (isStageFailure(err)) return err.data.failure;
  return { kind: 'system', message: errorMessage(err) };
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isStageFailure(err: unknown): err is StageFailure {
  return hasErrorCode(err, 'JobStageFailed');
}
