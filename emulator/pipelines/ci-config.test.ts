import { describe, expect, it } from 'vitest';
import { ciConfigError, PUSH_TO_MAIN } from '../test-support/index.ts';
import { parseCiConfig } from './ci-config.ts';
import { defineJob } from './job-spec.ts';
import { parseDuration } from './duration.ts';
import { evaluateRule } from './rules.ts';

const configError = (yaml: string) => ciConfigError(parseCiConfig(yaml, PUSH_TO_MAIN));

describe('parseCiConfig', () => {
  it('applies default, global variables and flattens nested scripts', async () => {
    const { stages, jobs } = await parseCiConfig(
      `
stages: [build, test]
variables:
  A: global
  N: 3
default:
  image: node:20
  before_script: [echo before]
  tags: [node]
build:
  stage: build
  variables:
    A: job
    RAW: { value: "$HOME", expand: false }
  script:
    - echo one
    - [echo two, echo three]
`,
      PUSH_TO_MAIN,
    );
    expect(stages).toEqual(['build']);
    const [build] = jobs;
    expect(build).toMatchObject({
      name: 'build',
      stage: 'build',
      image: 'node:20',
      tags: ['node'],
    });
    expect(build?.variables).toEqual([
      { key: 'A', value: 'job', public: true },
      { key: 'N', value: '3', public: true },
      { key: 'RAW', value: '$HOME', public: true, raw: true },
    ]);
    const definition = defineJob(build ?? { name: 'x' }, false);
    expect(definition.steps[0]?.script).toEqual([
      'echo before',
      'echo one',
      'echo two',
      'echo three',
    ]);
  });

  it('keeps or drops jobs by rules: if, and takes when from the matching rule', async () => {
    const yaml = `
only-main:
  script: [echo]
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
only-mr:
  script: [echo]
  rules:
    - if: '$CI_PIPELINE_SOURCE == "merge_request_event"'
manual-tags:
  script: [echo]
  rules:
    - if: $CI_COMMIT_TAG
    - if: '$CI_COMMIT_BRANCH =~ /^ma/ && ($FLAG == "on" || $FLAG == null)'
      when: manual
`;
    const names = async (vars: Record<string, string>) =>
      (await parseCiConfig(yaml, vars)).jobs.map((j) => `${j.name}:${j.when ?? 'on_success'}`);
    expect(await names(PUSH_TO_MAIN)).toEqual(['only-main:on_success', 'manual-tags:manual']);
    expect(await names({ ...PUSH_TO_MAIN, FLAG: 'off' })).toEqual(['only-main:on_success']);
    expect(
      await names({ CI_PIPELINE_SOURCE: 'merge_request_event', CI_DEFAULT_BRANCH: 'main' }),
    ).toEqual(['only-mr:on_success']);
  });

  it('resolves extends from hidden jobs and checks needs', async () => {
    const { jobs } = await parseCiConfig(
      `
.base:
  image: alpine
  variables: { X: base }
  script: [echo base]
a:
  extends: .base
  stage: build
b:
  extends: .base
  needs: [a]
  script: [echo b]
`,
      PUSH_TO_MAIN,
    );
    expect(jobs.map((j) => j.name)).toEqual(['a', 'b']);
    expect(jobs[0]).toMatchObject({ image: 'alpine', script: ['echo base'] });
    expect(jobs[1]).toMatchObject({ needs: ['a'], script: ['echo b'] });
    expect(await configError('b:\n  needs: [nope]\n  script: [x]\n')).toMatch(/needs nope/);
  });

  it('rejects unknown and unsupported keywords in GitLab words', async () => {
    expect(await configError('job:\n  script: [x]\n  scirpt: [y]\n')).toBe(
      'jobs:job config contains unknown keys: scirpt',
    );
    expect(await configError('job:\n  script: [x]\n  only: { kubernetes: active }\n')).toBe(
      'jobs:job:only config uses keywords the emulator does not support: kubernetes',
    );
    expect(await configError('job:\n  script: [x]\n  secrets: {}\n')).toBe(
      'jobs:job config uses keywords the emulator does not support: secrets',
    );
    expect(await configError('default:\n  hooks: {}\njob:\n  script: [x]\n')).toBe(
      'default config uses keywords the emulator does not support: hooks',
    );
    expect(await configError('job:\n  stage: deploy2\n  script: [x]\n')).toMatch(
      /chosen stage deploy2 does not exist/,
    );
    expect(await configError('job:\n  image: x\n')).toMatch(/script/);
    expect(await configError('job: [1]\n')).toBe('jobs:job config should be a hash');
  });

  it('takes retry from default unless the job sets its own; at the top level it is a job', async () => {
    const { jobs } = await parseCiConfig(
      `
default:
  retry: { max: 2, when: script_failure }
flaky:
  script: [x]
own:
  script: [x]
  retry: 1
`,
      PUSH_TO_MAIN,
    );
    expect(jobs.map((job) => [job.name, defineJob(job, false).retry])).toEqual([
      ['flaky', { max: 2, when: ['script_failure'] }],
      ['own', { max: 1 }],
    ]);
    expect(await configError('retry: 2\njob:\n  script: [x]\n')).toBe(
      'jobs:retry config should be a hash',
    );
  });

  it('filters the whole pipeline with workflow rules', async () => {
    const yaml = 'workflow:\n  rules:\n    - if: $CI_COMMIT_TAG\njob:\n  script: [x]\n';
    expect(await configError(yaml)).toMatch(/workflow/);
    expect((await parseCiConfig(yaml, { CI_COMMIT_TAG: 'v1' })).jobs).toHaveLength(1);
  });

  it('applies the matching workflow rule variables with GitLab precedence (docs example)', async () => {
    const yaml = `
variables:
  DEPLOY_VARIABLE: "default-deploy"
workflow:
  rules:
    - if: $CI_COMMIT_REF_NAME == $CI_DEFAULT_BRANCH
      variables:
        DEPLOY_VARIABLE: "deploy-production"
    - if: $CI_COMMIT_REF_NAME =~ /feature/
      variables:
        IS_A_FEATURE: "true"
    - when: always
job1:
  variables:
    DEPLOY_VARIABLE: "job1-default-deploy"
  rules:
    - if: $CI_COMMIT_REF_NAME == $CI_DEFAULT_BRANCH
      variables:
        DEPLOY_VARIABLE: "job1-deploy-production"
    - when: on_success
  script: [echo]
job2:
  script: [echo]
feature-only:
  rules:
    - if: $IS_A_FEATURE == "true"
  script: [echo]
`;
    const values = async (vars: Record<string, string>) =>
      Object.fromEntries(
        (await parseCiConfig(yaml, { CI_DEFAULT_BRANCH: 'main', ...vars })).jobs.map((job) => [
          job.name,
          Object.fromEntries(
            (Array.isArray(job.variables) ? job.variables : []).map((v) => [v.key, v.value]),
          ),
        ]),
      );
    expect(await values({ CI_COMMIT_REF_NAME: 'main' })).toEqual({
      job1: { DEPLOY_VARIABLE: 'job1-deploy-production' },
      job2: { DEPLOY_VARIABLE: 'deploy-production' },
    });
    expect(await values({ CI_COMMIT_REF_NAME: 'feature-1' })).toEqual({
      job1: { DEPLOY_VARIABLE: 'job1-default-deploy', IS_A_FEATURE: 'true' },
      job2: { DEPLOY_VARIABLE: 'default-deploy', IS_A_FEATURE: 'true' },
      'feature-only': { DEPLOY_VARIABLE: 'default-deploy', IS_A_FEATURE: 'true' },
    });
  });
});

describe('defineJob', () => {
  it('adds artifact entries for reports and the runner features they need', async () => {
    const job = defineJob(
      {
        name: 't',
        script: ['x'],
        allow_failure: { exit_codes: [3] },
        artifacts: {
          paths: ['out/'],
          exclude: ['out/*.tmp'],
          expire_in: '1 week',
          reports: { junit: 'report.xml', dotenv: ['build.env'] },
        },
        cache: { key: 'k', paths: ['c/'], fallback_keys: ['main'] },
      },
      true,
    );
    expect(job.artifacts.map((a) => [a.artifactType, a.artifactFormat, a.name, a.when])).toEqual([
      ['archive', 'zip', '', 'on_success'],
      ['junit', 'gzip', 'junit.xml', 'always'],
      ['dotenv', 'gzip', '.env', 'always'],
    ]);
    expect(job.requiredFeatures.sort()).toEqual(
      [
        'artifacts_exclude',
        'fallback_cache_keys',
        'refspecs',
        'return_exit_code',
        'upload_multiple_artifacts',
      ].sort(),
    );
    expect(job.allowFailure).toBe(false);
    expect(job.allowFailureExitCodes).toEqual([3]);
  });

  it('parses GitLab durations for timeout', async () => {
    expect(defineJob({ name: 't', script: ['x'], timeout: '1h 30m' }, false).timeout).toBe(5400);
    expect(parseDuration('10m')).toBe(600);
    expect(parseDuration('2 days')).toBe(172800);
    expect(parseDuration('3600')).toBe(3600);
    expect(parseDuration('ten minutes')).toBeNull();
  });
});

describe('evaluateRule', () => {
  it('handles comparisons, regexes, null, precedence and parentheses', async () => {
    const vars = { A: 'x', B: 'feature/login', EMPTY: '' };
    expect(evaluateRule('$A == "x"', vars, 'r')).toBe(true);
    expect(evaluateRule("$A != 'x'", vars, 'r')).toBe(false);
    expect(evaluateRule('$B =~ /^feature\\//', vars, 'r')).toBe(true);
    expect(evaluateRule('$B !~ /^feature/', vars, 'r')).toBe(false);
    expect(evaluateRule('$MISSING == null', vars, 'r')).toBe(true);
    expect(evaluateRule('$EMPTY', vars, 'r')).toBe(false);
    expect(evaluateRule('$A == "y" || $A == "x" && $B', vars, 'r')).toBe(true);
    expect(evaluateRule('($A == "y" || $A == "x") && $MISSING', vars, 'r')).toBe(false);
    expect(() => evaluateRule('$A === "x"', vars, 'r')).toThrow(/invalid expression/);
  });
});

describe('parseCiConfig: YAML merge keys and environment', () => {
  it('merges `<<: *alias` and `<<: [*a, *b]` as GitLab does, the job winning', async () => {
    const { jobs } = await parseCiConfig(
      `
.base: &base
  image: node:20
  tags: [node]
.vars: &vars
  variables: { A: from-vars }
  tags: [vars]
one:
  <<: *base
  script: [echo one]
two:
  <<: [*vars, *base]
  tags: [own]
  script: [echo two]
`,
      PUSH_TO_MAIN,
    );
    expect(jobs[0]).toMatchObject({ name: 'one', image: 'node:20', tags: ['node'] });
    // In a list of aliases the earlier one wins; the job's own keys win over both.
    expect(jobs[1]).toMatchObject({ name: 'two', image: 'node:20', tags: ['own'] });
    expect(jobs[1]?.variables).toEqual([{ key: 'A', value: 'from-vars', public: true }]);
  });

  it('accepts environment as a name or a hash and checks it as GitLab does', async () => {
    const { jobs } = await parseCiConfig(
      `
review:
  script: [x]
  environment: review/feature-1
deploy:
  script: [x]
  environment: { name: production, url: "https://example.com", action: start }
`,
      PUSH_TO_MAIN,
    );
    const [review, deploy] = jobs.map((job) => defineJob(job, false).environment);
    expect(review).toEqual({
      name: 'review/feature-1',
      url: null,
      action: 'start',
      tier: 'development',
    });
    expect(deploy).toEqual({
      name: 'production',
      url: 'https://example.com',
      action: 'start',
      tier: 'production',
    });
    const env = (value: string) =>
      ciConfigError(
        (async () => {
          const yaml = `j:\n  script: [x]\n  environment: ${value}\n`;
          const [job] = (await parseCiConfig(yaml, PUSH_TO_MAIN)).jobs;
          return defineJob(job ?? { name: 'j' }, false);
        })(),
      );
    expect(await env('{ name: x, action: deploy }')).toBe(
      'jobs:j:environment action should be start, stop, prepare, verify, or access',
    );
    expect(await env('{ name: x, colour: red }')).toBe(
      'jobs:j:environment config contains unknown keys: colour',
    );
    expect(await env('{ url: "https://x" }')).toBe("jobs:j:environment name can't be blank");
    expect(await env('[a]')).toBe('jobs:j:environment config should be a hash or a string');
  });
});
