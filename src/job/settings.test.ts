import { describe, expect, it } from 'vitest';
import { jobPayloadSchema } from '../gitlab/job-payload.ts';
import { readSettings } from './settings.ts';

function read(vars: Record<string, string>, over: Record<string, unknown> = {}) {
  const payload = jobPayloadSchema.parse({
    id: 1,
    token: 't',
    runner_info: { timeout: 3600 },
    ...over,
  });
  return readSettings(payload, (key) => vars[key]);
}

describe('readSettings (docs/runner-protocol.md §10.4)', () => {
  it('uses GitLab defaults', () => {
    const { settings, warnings } = read({});
    expect(warnings).toEqual([]);
    expect(settings).toMatchObject({
      gitStrategy: 'clone',
      gitCheckout: true,
      gitCleanFlags: ['-ffdx'],
      gitFetchExtraFlags: ['--prune', '--quiet'],
      gitSubmoduleStrategy: 'none',
      debugTrace: false,
      jobTimeoutSeconds: 3600,
      scriptTimeoutSeconds: null,
      afterScriptTimeoutSeconds: 300,
      afterScriptIgnoreErrors: true,
      attempts: { getSources: 1, artifactDownload: 1, restoreCache: 1, executorJobSection: 1 },
      timestamps: true,
    });
  });

  it('defaults GIT_STRATEGY to fetch when allow_git_fetch', () => {
    expect(read({}, { allow_git_fetch: true }).settings.gitStrategy).toBe('fetch');
  });

  it('warns about an invalid GIT_STRATEGY and keeps the default', () => {
    const { settings, warnings } = read({ GIT_STRATEGY: 'shallow' });
    expect(settings.gitStrategy).toBe('clone');
    expect(warnings).toEqual([
      'GIT_STRATEGY="shallow" is not one of clone, fetch, none, empty; using clone.',
    ]);
  });

  it('forces no checkout for none and empty', () => {
    expect(read({ GIT_STRATEGY: 'none', GIT_CHECKOUT: 'true' }).settings.gitCheckout).toBe(false);
    expect(read({ GIT_CHECKOUT: 'false' }).settings.gitCheckout).toBe(false);
  });

  it('reads flags, with none meaning nothing', () => {
    const { settings } = read({
      GIT_CLEAN_FLAGS: 'none',
      GIT_FETCH_EXTRA_FLAGS: '--depth 5  --tags',
    });
    expect(settings.gitCleanFlags).toEqual([]);
    expect(settings.gitFetchExtraFlags).toEqual(['--depth', '5', '--tags']);
  });

  it('takes the depth from git_info', () => {
    expect(read({}, { git_info: { depth: 20 } }).settings.gitDepth).toBe(20);
  });

  it('parses timeouts as Go durations and clamps them to the job timeout', () => {
    const { settings, warnings } = read({
      RUNNER_SCRIPT_TIMEOUT: '2h',
      RUNNER_AFTER_SCRIPT_TIMEOUT: '10m',
    });
    expect(settings.scriptTimeoutSeconds).toBe(3600);
    expect(settings.afterScriptTimeoutSeconds).toBe(600);
    expect(warnings).toEqual([
      'RUNNER_SCRIPT_TIMEOUT (2h0m0s) is longer than the job timeout; using the job timeout (1h0m0s).',
    ]);
  });

  it('clamps the default after_script timeout to a short job timeout', () => {
    const { settings, warnings } = read({}, { runner_info: { timeout: 60 } });
    expect(settings.afterScriptTimeoutSeconds).toBe(60);
    expect(warnings).toEqual([]);
  });

  it('ignores an invalid timeout with a warning', () => {
    const { settings, warnings } = read({ RUNNER_SCRIPT_TIMEOUT: '10 minutes' });
    expect(settings.scriptTimeoutSeconds).toBeNull();
    expect(warnings[0]).toContain('RUNNER_SCRIPT_TIMEOUT="10 minutes" is not a positive duration');
  });

  it('clamps attempts to 1–10', () => {
    const { settings, warnings } = read({
      GET_SOURCES_ATTEMPTS: '20',
      RESTORE_CACHE_ATTEMPTS: '0',
      ARTIFACT_DOWNLOAD_ATTEMPTS: 'x',
      EXECUTOR_JOB_SECTION_ATTEMPTS: '3',
    });
    expect(settings.attempts).toEqual({
      getSources: 10,
      restoreCache: 1,
      artifactDownload: 1,
      executorJobSection: 3,
    });
    expect(warnings).toHaveLength(3);
  });

  it('reads booleans the way Go does', () => {
    const { settings, warnings } = read({
      CI_DEBUG_TRACE: 'TRUE',
      AFTER_SCRIPT_IGNORE_ERRORS: '0',
      FF_TIMESTAMPS: 'f',
    });
    expect([settings.debugTrace, settings.afterScriptIgnoreErrors, settings.timestamps]).toEqual([
      true,
      false,
      false,
    ]);
    expect(warnings).toEqual([]);
    expect(read({ CI_DEBUG_TRACE: 'yes' }).warnings).toEqual([
      'CI_DEBUG_TRACE="yes" is not a boolean; using false.',
    ]);
  });

  it('says which settings tabrunner does not support', () => {
    const { warnings } = read({
      GIT_SUBMODULE_STRATEGY: 'recursive',
      GIT_LFS_SKIP_SMUDGE: 'false',
      GIT_CLONE_PATH: '$CI_BUILDS_DIR/x',
    });
    expect(warnings).toEqual([
      'GIT_SUBMODULE_STRATEGY=recursive is not supported by tabrunner; submodules are not fetched.',
      'Git LFS is not supported by tabrunner; LFS files stay pointer files.',
      'GIT_CLONE_PATH is not supported by tabrunner and is ignored.',
    ]);
  });
});
