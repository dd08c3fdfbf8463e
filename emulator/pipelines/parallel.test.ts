import { describe, expect, it } from 'vitest';
import { ciConfigError, PUSH_TO_MAIN } from '../test-support/index.ts';
import { parseCiConfig } from './ci-config.ts';
import type { JobSpecJson } from './job-spec.ts';

const configError = (yaml: string) => ciConfigError(parseCiConfig(yaml, PUSH_TO_MAIN));

const variablesOf = (job: JobSpecJson | undefined) =>
  Object.fromEntries(
    (Array.isArray(job?.variables) ? job.variables : []).map((v) => [v.key, v.value]),
  );

describe('parseCiConfig: parallel', () => {
  it('makes `name i/N` jobs in place of a `parallel: N` job, each knowing its index', async () => {
    const { jobs } = await parseCiConfig(
      'build:\n  stage: build\n  script: [make]\ntest:\n  parallel: 3\n  script: [rspec]\nlint:\n  script: [lint]\n',
      PUSH_TO_MAIN,
    );
    expect(jobs.map((job) => job.name)).toEqual([
      'build',
      'test 1/3',
      'test 2/3',
      'test 3/3',
      'lint',
    ]);
    expect(jobs.slice(1, 4).map((job) => [job.stage, job.instance])).toEqual([
      ['test', { index: 1, total: 3 }],
      ['test', { index: 2, total: 3 }],
      ['test', { index: 3, total: 3 }],
    ]);
    expect(jobs[0]?.instance).toBeUndefined();
  });

  it("names matrix jobs as GitLab's docs example does and sets their variables", async () => {
    const { jobs } = await parseCiConfig(
      `
variables: { STACK: global, OTHER: kept }
deploystacks:
  stage: deploy
  script: [bin/deploy]
  variables: { PROVIDER: job }
  parallel:
    matrix:
      - PROVIDER: aws
        STACK: [monitoring, app1, app2]
      - PROVIDER: ovh
        STACK: [monitoring, backup, app]
      - PROVIDER: [gcp, vultr]
        STACK: [data, processing]
`,
      PUSH_TO_MAIN,
    );
    expect(jobs.map((job) => job.name)).toEqual([
      'deploystacks: [aws, monitoring]',
      'deploystacks: [aws, app1]',
      'deploystacks: [aws, app2]',
      'deploystacks: [ovh, monitoring]',
      'deploystacks: [ovh, backup]',
      'deploystacks: [ovh, app]',
      'deploystacks: [gcp, data]',
      'deploystacks: [gcp, processing]',
      'deploystacks: [vultr, data]',
      'deploystacks: [vultr, processing]',
    ]);
    // The matrix's values win over the job's and the config's variables of the same name.
    expect(variablesOf(jobs[7])).toEqual({ STACK: 'processing', OTHER: 'kept', PROVIDER: 'gcp' });
    expect(jobs[9]?.instance).toEqual({ index: 10, total: 10 });
  });

  it('lets rules see matrix variables, dropping the instances they filter out', async () => {
    const { jobs } = await parseCiConfig(
      `
deploy:
  script: [deploy]
  parallel:
    matrix:
      - PROVIDER: [aws, gcp]
        STACK: [app, data]
  rules:
    - if: $PROVIDER == "aws" && $STACK == "app"
      when: manual
    - if: $PROVIDER == "gcp"
`,
      PUSH_TO_MAIN,
    );
    expect(jobs.map((job) => [job.name, job.when ?? 'on_success'])).toEqual([
      ['deploy: [aws, app]', 'manual'],
      ['deploy: [gcp, app]', 'on_success'],
      ['deploy: [gcp, data]', 'on_success'],
    ]);
    // Numbering is the matrix's, before rules.
    expect(jobs[1]?.instance).toEqual({ index: 3, total: 4 });
  });

  it('expands needs and dependencies naming a parallel job, or one matrix combination', async () => {
    const { jobs } = await parseCiConfig(
      `
linux:build:
  stage: build
  script: [echo build]
  parallel:
    matrix:
      - PROVIDER: aws
        STACK: [monitoring, app1, app2]
unit:
  stage: build
  parallel: 2
  script: [echo unit]
linux:rspec:
  stage: test
  needs:
    - job: linux:build
      artifacts: false
      parallel:
        matrix:
          - PROVIDER: aws
            STACK: app1
  script: [echo rspec]
report:
  stage: test
  needs: [unit]
  dependencies: [unit]
  script: [echo report]
`,
      PUSH_TO_MAIN,
    );
    const job = (name: string) => jobs.find((one) => one.name === name);
    expect(job('linux:rspec')?.needs).toEqual([
      { job: 'linux:build: [aws, app1]', artifacts: false },
    ]);
    expect(job('report')?.needs).toEqual(['unit 1/2', 'unit 2/2']);
    expect(job('report')?.dependencies).toEqual(['unit 1/2', 'unit 2/2']);
  });

  it("refuses what GitLab refuses, in GitLab's words", async () => {
    expect(await configError('t:\n  script: [x]\n  parallel: 201\n')).toBe(
      'jobs:t:parallel config must be less than or equal to 200',
    );
    expect(await configError('t:\n  script: [x]\n  parallel: 0\n')).toBe(
      'jobs:t:parallel config must be greater than or equal to 1',
    );
    expect(await configError('t:\n  script: [x]\n  parallel: 2.5\n')).toBe(
      'jobs:t:parallel config must be an integer',
    );
    expect(await configError('t:\n  script: [x]\n  parallel: many\n')).toBe(
      'jobs:t:parallel should be an integer or a hash',
    );
    expect(await configError('t:\n  script: [x]\n  parallel: { matrix: [], max: 2 }\n')).toBe(
      'jobs:t:parallel config contains unknown keys: max',
    );
    const values = (n: number) => `[${Array.from({ length: n }, (_, i) => `v${i}`).join(', ')}]`;
    expect(
      await configError(
        `t:\n  script: [x]\n  parallel:\n    matrix:\n      - A: ${values(20)}\n        B: ${values(10)}\n      - C: x\n`,
      ),
    ).toBe('jobs:t:parallel:matrix config generates too many jobs (maximum is 200)');
    expect(
      await configError(
        `a:\n  script: [x]\n  parallel:\n    matrix:\n      - A: [1, 2]\nb:\n  needs:\n    - job: a\n      parallel:\n        matrix:\n          - A: '3'\n  script: [x]\n`,
      ),
    ).toBe('jobs:b job needs a: [3] which is not defined in the pipeline');
  });
});
