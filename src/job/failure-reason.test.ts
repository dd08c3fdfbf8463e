import { describe, expect, it } from 'vitest';
import {
  allFailureReasons,
  closingLine,
  exitCodeOf,
  failureReasonOf,
  mapFailureReason,
  timeoutWarningText,
  type JobFailure,
} from './failure-reason.ts';

const show = (s: string) => s.replaceAll('\x1b', 'ESC');

describe('mapFailureReason (docs/runner-protocol.md §12.3, TestFailureReasonMapper_Map)', () => {
  const modern = ['script_failure', 'runner_unsupported', 'image_pull_failure', 'unknown_failure'];

  it('sends script_failure for an empty reason', () => {
    expect(mapFailureReason('', [])).toBe('script_failure');
  });

  it('keeps always-supported reasons even when the server lists none', () => {
    for (const r of ['script_failure', 'runner_system_failure', 'job_execution_timeout'] as const) {
      expect(mapFailureReason(r, [])).toBe(r);
    }
  });

  it('keeps a reason the server lists', () => {
    expect(mapFailureReason('image_pull_failure', modern)).toBe('image_pull_failure');
  });

  it.each([
    ['image_pull_failure', 'runner_system_failure'],
    ['runner_configuration_error', 'script_failure'],
    ['runner_external_dependency_failure', 'runner_system_failure'],
    ['runner_interrupted', 'unknown_failure'],
    ['runner_unsupported', 'runner_system_failure'],
    ['job_canceled', 'unknown_failure'],
  ] as const)('falls back from %s to %s on an old server', (reason, expected) => {
    expect(mapFailureReason(reason, [])).toBe(expected);
  });

  it('never sends job_canceled, which GitLab does not know', () => {
    expect(mapFailureReason('job_canceled', modern)).toBe('unknown_failure');
  });

  it('maps every reason to something the server accepts', () => {
    for (const r of allFailureReasons) {
      const sent = mapFailureReason(r, []);
      expect([
        'script_failure',
        'runner_system_failure',
        'job_execution_timeout',
        'unknown_failure',
      ]).toContain(sent);
    }
  });
});

describe('closing lines (docs/runner-protocol.md §9.7)', () => {
  it.each<[JobFailure | { kind: 'success' }, string]>([
    [{ kind: 'success' }, 'ESC[32;1mJob succeededESC[0;m\n'],
    [{ kind: 'exit_code', exitCode: 1 }, 'ESC[31;1mERROR: Job failed: exit code 1ESC[0;m\n'],
    [
      { kind: 'job_timeout', timeoutSeconds: 3600 },
      'ESC[31;1mERROR: Job failed: execution took longer than 1h0m0s secondsESC[0;m\n',
    ],
    [
      { kind: 'script_timeout', timeoutSeconds: 600 },
      'ESC[31;1mERROR: Job failed: script timeout: context deadline exceededESC[0;m\n',
    ],
    [{ kind: 'canceled' }, 'ESC[31;1mERROR: Job failed: canceledESC[0;m\n'],
    [
      { kind: 'system', message: 'WebContainer failed to boot' },
      'ESC[31;1mERROR: Job failed (system failure): WebContainer failed to bootESC[0;m\n',
    ],
    [
      { kind: 'unsupported', message: 'this job needs services (postgres)' },
      'ESC[31;1mERROR: Job failed (system failure): this job needs services (postgres)ESC[0;m\n',
    ],
  ])('%j', (outcome, expected) => {
    expect(show(closingLine(outcome))).toBe(expected);
  });

  it('gives each failure its reason and exit code', () => {
    expect(failureReasonOf({ kind: 'exit_code', exitCode: 2 })).toBe('script_failure');
    expect(exitCodeOf({ kind: 'exit_code', exitCode: 2 })).toBe(2);
    expect(failureReasonOf({ kind: 'job_timeout', timeoutSeconds: 1 })).toBe(
      'job_execution_timeout',
    );
    expect(failureReasonOf({ kind: 'canceled' })).toBe('job_canceled');
    expect(failureReasonOf({ kind: 'system', message: 'x', reason: 'image_pull_failure' })).toBe(
      'image_pull_failure',
    );
    expect(failureReasonOf({ kind: 'unsupported', message: 'x' })).toBe('runner_unsupported');
    expect(exitCodeOf({ kind: 'canceled' })).toBeUndefined();
  });

  it('words the timeout warning as GitLab does', () => {
    expect(timeoutWarningText('step_script')).toBe(
      'step_script could not run to completion because the timeout was exceeded. For more control over job and script timeouts see: https://docs.gitlab.com/ci/runners/configure_runners/#set-script-and-after_script-timeouts',
    );
  });
});
