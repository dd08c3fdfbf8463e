import { describe, expect, it } from 'vitest';
import { ciConfigError, PUSH_TO_MAIN } from '../test-support/index.ts';
import { parseCiConfig } from './ci-config.ts';
import { defineJob } from './job-spec.ts';

const configError = (yaml: string) => ciConfigError(parseCiConfig(yaml, PUSH_TO_MAIN));

describe('parseCiConfig: !reference tags', () => {
  it('runs referenced script lines in place, nested references included (GitLab docs example)', async () => {
    const { jobs } = await parseCiConfig(
      `
.snippets:
  one:
    - echo "ONE!"
  two:
    - !reference [.snippets, one]
    - echo "TWO!"
  three:
    - !reference [.snippets, two]
    - echo "THREE!"
.teardown:
  after_script: [echo deleting environment]
nested-references:
  before_script: !reference [.snippets, one]
  script:
    - !reference [.snippets, three]
    - echo own
  after_script:
    - !reference [.teardown, after_script]
`,
      PUSH_TO_MAIN,
    );
    const definition = defineJob(jobs[0] ?? { name: 'x' }, false);
    expect(definition.steps.map((step) => step.script)).toEqual([
      ['echo "ONE!"', 'echo "ONE!"', 'echo "TWO!"', 'echo "THREE!"', 'echo own'],
      ['echo deleting environment'],
    ]);
  });

  it('replaces a value anywhere else: variables, a single variable, cache, needs', async () => {
    const { jobs } = await parseCiConfig(
      `
.vars:
  variables:
    URL: "http://my-url.internal"
    IMPORTANT_VAR: "the details"
.base:
  cache: { key: deps, paths: [node_modules] }
  needs: [build]
build:
  stage: build
  script: [make]
test:
  variables:
    COLOR: !reference [.vars, variables, URL]
  cache: !reference [.base, cache]
  needs: !reference [.base, needs]
  script: [make test]
deploy:
  stage: deploy
  variables: !reference [.vars, variables]
  script: [make deploy]
`,
      PUSH_TO_MAIN,
    );
    const [, test, deploy] = jobs;
    expect(test?.variables).toEqual([
      { key: 'COLOR', value: 'http://my-url.internal', public: true },
    ]);
    expect(test?.cache).toEqual({ key: 'deps', paths: ['node_modules'] });
    expect(test?.needs).toEqual(['build']);
    const deployVariables = Array.isArray(deploy?.variables) ? deploy.variables : [];
    expect(deployVariables.map((v) => v.key)).toEqual(['URL', 'IMPORTANT_VAR']);
  });

  it("refuses missing, malformed and circular references in GitLab's words", async () => {
    expect(await configError('job:\n  script:\n    - !reference [.nope, script]\n')).toBe(
      '!reference [".nope", "script"] could not be found',
    );
    expect(await configError('.a:\n  x: [1]\njob:\n  script: !reference [.a, x, y]\n')).toBe(
      '!reference [".a", "x", "y"] could not be found',
    );
    expect(await configError('job:\n  script: !reference [.a, 1]\n')).toBe(
      '!reference [".a", 1] is not valid',
    );
    expect(await configError('job:\n  script: !reference job\n')).toBe(
      '!reference "job" is not valid',
    );
    expect(
      await configError(
        '.a:\n  s: !reference [.b, s]\n.b:\n  s: !reference [.a, s]\njob:\n  script: !reference [.a, s]\n',
      ),
    ).toBe('!reference [".b", "s"] is part of a circular chain');
  });
});
