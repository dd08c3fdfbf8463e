import { describe, expect, it } from 'vitest';
import { ciConfigError, PUSH_TO_MAIN } from '../test-support/index.ts';
import { parseCiConfig } from './ci-config.ts';
import { retryOptions } from './retry-keyword.ts';

/** GitLab's error for a job with this `retry:` (JSON is YAML's flow style). */
const refusal = (value: unknown) =>
  ciConfigError(
    parseCiConfig(`test:\n  script: [x]\n  retry: ${JSON.stringify(value)}\n`, PUSH_TO_MAIN),
  );

describe('retryOptions (GitLab’s Entry::Retry)', () => {
  it('reads an integer as the max, and a hash with when and exit_codes as lists', () => {
    expect(retryOptions(undefined, 'jobs:test')).toBeUndefined();
    expect(retryOptions(0, 'jobs:test')).toEqual({ max: 0 });
    expect(retryOptions(2, 'jobs:test')).toEqual({ max: 2 });
    expect(retryOptions({ max: 1, when: 'script_failure', exit_codes: 137 }, 'jobs:test')).toEqual({
      max: 1,
      when: ['script_failure'],
      exitCodes: [137],
    });
    expect(
      retryOptions({ when: ['runner_system_failure', 'always'], exit_codes: [1, 255] }, 'j'),
    ).toEqual({ when: ['runner_system_failure', 'always'], exitCodes: [1, 255] });
  });

  it('accepts every documented when value and any GitLab failure reason', () => {
    const documented = [
      'always',
      'unknown_failure',
      'script_failure',
      'api_failure',
      'stuck_or_timeout_failure',
      'runner_system_failure',
      'runner_unsupported',
      'stale_schedule',
      'job_execution_timeout',
      'archived_failure',
      'unmet_prerequisites',
      'scheduler_failure',
      'data_integrity_failure',
      'trace_size_exceeded',
    ];
    expect(retryOptions({ max: 2, when: documented }, 'jobs:test')?.when).toEqual(documented);
  });

  it('refuses what GitLab refuses, in its words, when the config is read', async () => {
    expect(await refusal(true)).toBe('retry config has to be either an integer or a hash');
    expect(await refusal(1.5)).toBe('retry config has to be either an integer or a hash');
    expect(await refusal('1')).toBe('retry config has to be either an integer or a hash');
    expect(await refusal([1])).toBe('retry config has to be either an integer or a hash');
    expect(await refusal(-1)).toBe('retry config must be greater than or equal to 0');
    expect(await refusal(10)).toBe('retry config must be less than or equal to 2');
    expect(await refusal({ max: 2, unknown_key: 1, one_more: 2 })).toBe(
      'retry config contains unknown keys: unknown_key, one_more',
    );
    expect(await refusal({ max: -1 })).toBe('retry max must be greater than or equal to 0');
    expect(await refusal({ max: 1.5 })).toBe('retry max must be an integer');
    expect(await refusal({ max: 10 })).toBe('retry max must be less than or equal to 2');
    expect(await refusal({ max: 'two' })).toBe('retry max is not a number');
    expect(await refusal({ exit_codes: true })).toBe(
      'retry exit codes should be an array of integers or an integer',
    );
    expect(await refusal({ exit_codes: [255, '155'] })).toBe(
      'retry exit codes should be an array of integers or an integer',
    );
    expect(await refusal({ when: true })).toBe(
      'retry when should be an array of strings or a string',
    );
    expect(await refusal({ when: 'unknown_reason' })).toBe(
      'retry when is not included in the list',
    );
    expect(await refusal({ when: ['unknown_reason', 'runner_system_failure'] })).toBe(
      'retry when contains unknown values: unknown_reason',
    );
  });
});
