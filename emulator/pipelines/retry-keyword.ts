/**
 * A job's `retry:` read as GitLab's `Entry::Retry` reads it: an integer from 0 to 2 (the `max`),
 * or a hash of `max`, `when` (a failure reason or `always`, or a list of them) and `exit_codes`
 * (an integer or a list), with GitLab's error words. GitLab names these errors `retry …`, not by
 * the job's path, so neither does the emulator. The retry itself happens when a job fails
 * (emulator/jobs/auto-retry.ts).
 */
import { GITLAB_FAILURE_REASONS } from '../jobs/failure-reasons.ts';
import type { Job } from '../model.ts';
import { CiConfigError } from './ci-config-error.ts';

/** `retry:` as configs write it. */
export type RetryKeyword =
  number | { max?: number; when?: string | string[]; exit_codes?: number | number[] };

/** `FullRetry.possible_retry_when_values`: every failure reason, and `always`. */
const WHEN_VALUES: readonly string[] = [...GITLAB_FAILURE_REASONS, 'always'];
const FULL_KEYS = ['max', 'when', 'exit_codes'];

/** The job's retry options, or undefined without `retry:`. `path` is the job's config path. */
export function retryOptions(value: unknown, path: string): Job['retry'] {
  if (value === undefined || value === null) return undefined;
  const fail = (message: string): never => {
    throw new CiConfigError(`${path}:retry`, message, { prefixed: false });
  };
  if (Number.isInteger(value)) {
    return { max: checkMax(value as number, 'retry config', fail) };
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    return fail('retry config has to be either an integer or a hash');
  }
  const hash = value as Record<string, unknown>;
  const unknown = Object.keys(hash).filter((key) => !FULL_KEYS.includes(key));
  if (unknown.length > 0) fail(`retry config contains unknown keys: ${unknown.join(', ')}`);

  const options: NonNullable<Job['retry']> = {};
  if (hash.max !== undefined && hash.max !== null) {
    if (typeof hash.max !== 'number') fail('retry max is not a number');
    options.max = checkMax(hash.max as number, 'retry max', fail);
  }
  if (hash.when !== undefined && hash.when !== null) {
    options.when = retryWhen(hash.when, fail);
  }
  if (hash.exit_codes !== undefined && hash.exit_codes !== null) {
    const codes = [hash.exit_codes].flat();
    if (!codes.every((code) => Number.isInteger(code))) {
      fail('retry exit codes should be an array of integers or an integer');
    }
    options.exitCodes = codes as number[];
  }
  return options;
}

/** Rails' `numericality: { only_integer: true, in 0..2 }` messages. */
function checkMax(max: number, name: string, fail: (message: string) => never): number {
  if (!Number.isInteger(max)) fail(`${name} must be an integer`);
  if (max < 0) fail(`${name} must be greater than or equal to 0`);
  if (max > 2) fail(`${name} must be less than or equal to 2`);
  return max;
}

function retryWhen(value: unknown, fail: (message: string) => never): string[] {
  if (typeof value === 'string') {
    if (!WHEN_VALUES.includes(value)) fail('retry when is not included in the list');
    return [value];
  }
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    return fail('retry when should be an array of strings or a string');
  }
  const unknown = value.filter((item: string) => !WHEN_VALUES.includes(item));
  if (unknown.length > 0) fail(`retry when contains unknown values: ${unknown.join(', ')}`);
  return value;
}
