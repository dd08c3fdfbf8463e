import { describe, expect, it } from 'vitest';
import { jobPayloadSchema } from '../gitlab/job-payload.ts';
import { planJob, type JobPlan, type PlanContext, type PlanRejection } from './plan.ts';

const ctx: PlanContext = {
  executor: 'webcontainer',
  nodeVersion: '20',
  runner: {
    buildsDir: '/builds',
    shortToken: 'AbCdEf123',
    version: '0.1.0',
    revision: 'abcd1234',
    executableArch: 'browser/wasm',
  },
};

function payload(over: Record<string, unknown> = {}) {
  return jobPayloadSchema.parse({
    id: 7,
    token: 'glcbt-job-token-123',
    job_info: { name: 'test', project_id: 3, project_full_path: 'group/project' },
    runner_info: { timeout: 3600 },
    steps: [
      { name: 'script', script: ['npm ci', 'npm test'], when: 'on_success' },
      { name: 'after_script', script: ['echo done'], when: 'always', allow_failure: true },
    ],
    features: {
      trace_sections: true,
      failure_reasons: ['script_failure'],
      token_mask_prefixes: ['tok-'],
    },
    ...over,
  });
}

function plan(over: Record<string, unknown> = {}, context = ctx): JobPlan {
  const result = planJob(payload(over), context);
  if (result.kind !== 'plan') throw new Error(`rejected: ${JSON.stringify(result.failure)}`);
  return result;
}

function rejection(over: Record<string, unknown>, context = ctx): PlanRejection {
  const result = planJob(payload(over), context);
  if (result.kind !== 'rejection') throw new Error('expected a rejection');
  return result;
}

describe('planJob', () => {
  it('plans the script step, after_script, sections and timeouts', () => {
    const p = plan();
    expect(p.steps).toEqual([
      { name: 'script', section: 'step_script', lines: ['npm ci', 'npm test'] },
    ]);
    expect(p.afterScript).toEqual(['echo done']);
    expect(p.sections).toBe(true);
    expect(p.timestamps).toBe(true);
    expect(p.timeouts).toEqual({ jobSeconds: 3600, scriptSeconds: null, afterScriptSeconds: 300 });
    expect(p.failureReasons).toEqual(['script_failure']);
    expect(p.projectDir).toBe('/builds/group/project');
    expect(p.warnings).toEqual([]);
  });

  it('uses 7200 s when the payload has no timeout', () => {
    expect(plan({ runner_info: { timeout: 0 } }).timeouts.jobSeconds).toBe(7200);
  });

  it('masks the job token, masked variables and the token prefixes', () => {
    const p = plan({ variables: [{ key: 'SECRET', value: 'hunter2-long', masked: true }] });
    expect(p.masking.phrases).toEqual(['glcbt-job-token-123', 'hunter2-long']);
    expect(p.masking.tokenPrefixes).toContain('glpat-');
    expect(p.masking.tokenPrefixes).toContain('tok-');
  });

  it('keeps steps in payload order and runs unknown steps as scripts, with a warning', () => {
    const p = plan({
      steps: [
        { name: 'script', script: ['a'] },
        { name: 'Extra', script: ['b'] },
      ],
    });
    expect(p.steps.map((s) => s.section)).toEqual(['step_script', 'step_extra']);
    expect(p.afterScript).toEqual([]);
    expect(p.warnings).toEqual([
      'step "Extra" is not a GitLab step tabrunner knows; running it as a script.',
    ]);
  });

  it('refuses the release step before running anything', () => {
    const r = rejection({
      steps: [
        { name: 'script', script: ['a'] },
        { name: 'release', script: ['release-cli create'] },
      ],
    });
    expect(r.failure).toEqual({
      kind: 'unsupported',
      message:
        'the release: keyword needs release-cli, which tabrunner does not have; create the release from another runner or with the API',
    });
    expect(r.masking.phrases).toContain('glcbt-job-token-123');
  });

  it('refuses CI steps (run:)', () => {
    expect(rejection({ run: '[{"name":"x"}]' }).failure).toMatchObject({ kind: 'unsupported' });
  });

  it('refuses services, naming them', () => {
    expect(rejection({ services: [{ name: 'postgres:16' }] }).failure).toEqual({
      kind: 'unsupported',
      message: 'this job needs services (postgres:16), which tabrunner cannot run',
    });
  });

  it('runs Node images and warns about a different Node version', () => {
    expect(plan({ image: { name: 'node:20-alpine' } }).warnings).toEqual([]);
    expect(plan({ image: { name: 'registry.example.com/library/node:18' } }).warnings).toEqual([
      'image registry.example.com/library/node:18 asks for Node 18; this runner has Node 20.',
    ]);
  });

  it('expands the image name with job variables', () => {
    const p = plan({ image: { name: 'node:$NODE' }, variables: [{ key: 'NODE', value: '20' }] });
    expect(p.image).toBe('node:20');
  });

  it('runs plain shell images with a warning', () => {
    expect(plan({ image: { name: 'alpine:3.19' } }).warnings).toEqual([
      'image alpine:3.19 is not pulled: the script runs in tabrunner\'s "webcontainer" sandbox (POSIX shell, Node 20).',
    ]);
  });

  it('refuses other images', () => {
    expect(rejection({ image: { name: 'ruby:3.3' } }).failure).toEqual({
      kind: 'unsupported',
      message: 'image ruby:3.3 is not available: tabrunner runs jobs only in Node images',
    });
  });

  it('refuses a Node image on an executor without Node', () => {
    const shell = { ...ctx, executor: 'shell', nodeVersion: undefined };
    expect(rejection({ image: { name: 'node:20' } }, shell).failure).toMatchObject({
      kind: 'unsupported',
    });
  });

  it('carries settings warnings and timeouts from variables', () => {
    const p = plan({
      variables: [
        { key: 'RUNNER_SCRIPT_TIMEOUT', value: '10m' },
        { key: 'GIT_SUBMODULE_STRATEGY', value: 'normal' },
        { key: 'FF_TIMESTAMPS', value: 'false' },
      ],
    });
    expect(p.timeouts.scriptSeconds).toBe(600);
    expect(p.timestamps).toBe(false);
    expect(p.warnings).toEqual([
      'GIT_SUBMODULE_STRATEGY=normal is not supported by tabrunner; submodules are not fetched.',
    ]);
  });

  it('warns about a feature flag that is not a boolean', () => {
    expect(plan({ variables: [{ key: 'FF_TIMESTAMPS', value: 'maybe' }] }).warnings).toEqual([
      'FF_TIMESTAMPS="maybe" is not a boolean; the feature flag keeps its default.',
    ]);
  });

  it('lists file variables with their paths and puts paths in the environment', () => {
    const p = plan({ variables: [{ key: 'KUBECONFIG', value: 'apiVersion: v1', file: true }] });
    expect(p.fileVariables).toEqual([
      {
        key: 'KUBECONFIG',
        path: '/builds/group/project.tmp/KUBECONFIG',
        content: 'apiVersion: v1',
      },
    ]);
    expect(p.env['KUBECONFIG']).toBe('/builds/group/project.tmp/KUBECONFIG');
  });

  it('collects get_sources hooks', () => {
    const p = plan({ hooks: [{ name: 'pre_get_sources_script', script: ['echo pre'] }] });
    expect(p.hooks).toEqual({ preGetSources: ['echo pre'], postGetSources: [] });
  });
});
