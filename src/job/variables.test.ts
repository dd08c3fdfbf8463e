import { describe, expect, it } from 'vitest';
import { jobPayloadSchema, type JobVariable } from '../gitlab/job-payload.ts';
import {
  buildJobVariables,
  jobStatusVariable,
  VariableList,
  type RunnerContext,
} from './variables.ts';

const v = (key: string, value: string, extra: Partial<JobVariable> = {}): JobVariable => ({
  key,
  value,
  public: true,
  file: false,
  masked: false,
  raw: false,
  ...extra,
});

const list = (vars: JobVariable[]) => new VariableList(vars, { tempDir: '/builds/g/p.tmp' });

const runner: RunnerContext = {
  buildsDir: '/builds',
  shortToken: 'AbCdEf123',
  version: '0.1.0',
  revision: 'abcd1234',
  executableArch: 'browser/wasm',
};

function payload(over: Record<string, unknown> = {}) {
  return jobPayloadSchema.parse({
    id: 7,
    token: 'job-token-xyz',
    job_info: { name: 'test', project_id: 3, project_full_path: 'group/project' },
    runner_info: { timeout: 3600 },
    ...over,
  });
}

describe('VariableList expansion (docs/runner-protocol.md §10.3, TestVariablesExpansion)', () => {
  it('expands one level against unexpanded values: a=$b, b=$c, c=x gives a=$c', () => {
    const vars = list([v('a', '$b'), v('b', '$c'), v('c', 'x')]);
    expect(vars.toEnv()).toEqual({ a: '$c', b: 'x', c: 'x' });
  });

  it('uses the last definition (TestMultipleUsageOfAKey)', () => {
    const vars = list([v('key', 'first'), v('key', 'second'), v('ref', '$key')]);
    expect(vars.value('key')).toBe('second');
    expect(vars.value('ref')).toBe('second');
  });

  it('keeps raw values unexpanded (TestRawVariableExpansion)', () => {
    const vars = list([v('base', 'x'), v('raw', '$base and ${base}', { raw: true })]);
    expect(vars.value('raw')).toBe('$base and ${base}');
  });

  it('expands a file variable reference to its path (TestFileVariablesExpansion)', () => {
    const vars = list([v('CERT', 'pem-data', { file: true }), v('CMD', 'cat $CERT')]);
    expect(vars.toEnv()).toEqual({ CERT: '/builds/g/p.tmp/CERT', CMD: 'cat /builds/g/p.tmp/CERT' });
    expect(vars.fileVariables()).toEqual([
      { key: 'CERT', path: '/builds/g/p.tmp/CERT', content: 'pem-data' },
    ]);
  });

  it('drops a file variable overridden by a plain one', () => {
    const vars = list([v('K', 'content', { file: true }), v('K', 'plain')]);
    expect(vars.fileVariables()).toEqual([]);
    expect(vars.value('K')).toBe('plain');
  });

  it('handles special parameters (TestSpecialVariablesExpansion)', () => {
    const vars = list([v('a', '$$ $* $# $@ $! $? $0 $/dsa')]);
    expect(vars.value('a')).toBe('$       $/dsa');
  });

  it('masks masked values after expansion, and the job token', () => {
    const vars = list([v('inner', 's3cret-part'), v('M', 'pre-$inner', { masked: true })]);
    expect(vars.masked('job-token')).toEqual(['pre-s3cret-part', 'job-token']);
  });

  it('lets appended variables win, for CI_JOB_STATUS in after_script', () => {
    const vars = list([v('CI_JOB_STATUS', 'running')]).with([jobStatusVariable('failed')]);
    expect(vars.value('CI_JOB_STATUS')).toBe('failed');
  });
});

describe('buildJobVariables (docs/runner-protocol.md §10.1, §10.2)', () => {
  it('adds the runner variables', () => {
    const env = buildJobVariables(payload({ image: { name: 'node:20' } }), runner).toEnv();
    expect(env).toMatchObject({
      CI_JOB_IMAGE: 'node:20',
      CI_RUNNER_SHORT_TOKEN: 'AbCdEf123',
      CI_BUILDS_DIR: '/builds',
      CI_PROJECT_DIR: '/builds/group/project',
      CI_SERVER: 'yes',
      CI_JOB_STATUS: 'running',
      CI_JOB_TIMEOUT: '3600',
      CI_DISPOSABLE_ENVIRONMENT: 'true',
      CI_RUNNER_VERSION: '0.1.0',
      CI_RUNNER_REVISION: 'abcd1234',
      CI_RUNNER_EXECUTABLE_ARCH: 'browser/wasm',
      RUNNER_TEMP_PROJECT_DIR: '/builds/group/project.tmp',
      GITLAB_ENV: '/builds/group/project.tmp/gitlab_runner_env',
    });
    expect(env['CI_SHARED_ENVIRONMENT']).toBeUndefined();
  });

  it('uses 7200 s when the payload timeout is not positive', () => {
    const env = buildJobVariables(payload({ runner_info: { timeout: 0 } }), runner).toEnv();
    expect(env['CI_JOB_TIMEOUT']).toBe('7200');
  });

  it('lets the payload override defaults but not the runner build info', () => {
    const env = buildJobVariables(
      payload({
        variables: [
          { key: 'CI_SERVER', value: 'maybe' },
          { key: 'CI_RUNNER_VERSION', value: '99' },
          { key: 'RUNNER_TEMP_PROJECT_DIR', value: '/elsewhere' },
        ],
      }),
      runner,
    ).toEnv();
    expect(env['CI_SERVER']).toBe('maybe');
    expect(env['CI_RUNNER_VERSION']).toBe('0.1.0');
    expect(env['RUNNER_TEMP_PROJECT_DIR']).toBe('/builds/group/project.tmp');
  });

  it('resolves feature flags: the job overrides defaults, FF_* job entries are replaced', () => {
    const vars = buildJobVariables(
      payload({ variables: [{ key: 'FF_TIMESTAMPS', value: 'false' }] }),
      { ...runner, featureFlags: { FF_TIMESTAMPS: true, FF_SCRIPT_SECTIONS: false } },
    );
    expect(vars.all().filter((x) => x.key === 'FF_TIMESTAMPS')).toHaveLength(1);
    expect(vars.value('FF_TIMESTAMPS')).toBe('false');
    expect(vars.value('FF_SCRIPT_SECTIONS')).toBe('false');
  });

  it('marks a shared environment and appends -empty for GIT_STRATEGY=empty', () => {
    const vars = buildJobVariables(
      payload({ variables: [{ key: 'GIT_STRATEGY', value: 'empty' }] }),
      { ...runner, sharedEnvironment: true },
    );
    expect(vars.value('CI_SHARED_ENVIRONMENT')).toBe('true');
    expect(vars.value('CI_PROJECT_DIR')).toBe('/builds/group/project-empty');
  });

  it('lets job variables refer to runner variables', () => {
    const vars = buildJobVariables(
      payload({ variables: [{ key: 'OUT', value: '$CI_PROJECT_DIR/out' }] }),
      runner,
    );
    expect(vars.value('OUT')).toBe('/builds/group/project/out');
  });
});
