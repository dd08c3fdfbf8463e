/**
 * `include: local` against a real hosted repository: files are read at the pipeline's commit,
 * merged as GitLab merges them, and refused in GitLab's words.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitFiles, createProject } from '../git/index.ts';
import { createTestContext, type TestContext } from '../git/test-context.ts';
import type { Pipeline, Project } from '../model.ts';
import { ciConfigError, pipelineJobs } from '../test-support/index.ts';
import { parseCiConfig } from './ci-config.ts';
import { createPipeline } from './create-pipeline.ts';

describe('include: local', () => {
  let t: TestContext;
  let project: Project;

  beforeEach(async () => {
    t = await createTestContext();
    project = await createProject(t.ctx, { path: 'app', namespace: 'group' });
  });
  afterEach(() => t.dispose());

  const commit = (files: Record<string, string>) =>
    commitFiles(t.ctx, project.id, { branch: 'main', files, message: 'ci' });
  const jobsOf = (pipeline: Pipeline) => pipelineJobs(t.ctx.state, pipeline);
  const failure = async (files: Record<string, string>): Promise<string> => {
    await commit(files);
    return ciConfigError(createPipeline(t.ctx, project.id, { ref: 'main' }));
  };

  it('merges included files first and the including file over them, nested and by wildcard', async () => {
    await commit({
      '.gitlab-ci.yml': `
include:
  - /ci/base.yml
  - local: ci/jobs/$JOBS_FILE
  - ci/extra/*.yml
variables:
  SHARED: main
build:
  variables:
    FROM: main
`,
      'ci/base.yml': `
include: { local: ci/stages.yml }
variables:
  SHARED: base
  BASE_ONLY: base
.scripts:
  test: [echo from base]
build:
  stage: build
  script: [make]
  variables:
    FROM: base
    KEEP: base
`,
      'ci/stages.yml': 'stages: [build, test, deploy]\n',
      'ci/jobs/test.yml': 'test:\n  script: !reference [.scripts, test]\n',
      'ci/extra/a.yml': 'lint-a:\n  script: [lint a]\n',
      'ci/extra/b.yaml': 'lint-b:\n  script: [lint b]\n',
      'ci/extra/notes.txt': 'not included',
    });
    const pipeline = await createPipeline(t.ctx, project.id, {
      ref: 'main',
      variables: { JOBS_FILE: 'test.yml' },
    });
    expect(pipeline.stages).toEqual(['build', 'test']);
    const jobs = jobsOf(pipeline);
    // `*.yml` matches a.yml only: b.yaml and notes.txt stay out.
    expect(jobs.map((job) => job.name)).toEqual(['build', 'test', 'lint-a']);
    const values = (name: string) =>
      Object.fromEntries(
        (jobs.find((job) => job.name === name)?.variables ?? []).map((v) => [v.key, v.value]),
      );
    expect(values('build')).toEqual({
      SHARED: 'main',
      BASE_ONLY: 'base',
      FROM: 'main',
      KEEP: 'base',
    });
    // A `!reference` into another file resolves after the merge.
    expect(jobs.find((job) => job.name === 'test')?.steps[0]?.script).toEqual(['echo from base']);
  });

  it("refuses missing, empty, non-YAML and unsupported includes in GitLab's words", async () => {
    expect(await failure({ '.gitlab-ci.yml': 'include: /nope.yml\nj:\n  script: [x]\n' })).toBe(
      'Local file `nope.yml` does not exist!',
    );
    expect(
      await failure({
        '.gitlab-ci.yml': 'include: empty.yml\nj:\n  script: [x]\n',
        'empty.yml': '\n',
      }),
    ).toBe('Local file `empty.yml` is empty!');
    expect(await failure({ '.gitlab-ci.yml': 'include: ci.json\nj:\n  script: [x]\n' })).toBe(
      'Included file `ci.json` does not have YAML extension!',
    );
    expect(
      await failure({
        '.gitlab-ci.yml': 'include: list.yml\nj:\n  script: [x]\n',
        'list.yml': '- a\n',
      }),
    ).toBe('Included file `list.yml` does not have valid YAML syntax!');
    expect(
      await failure({
        '.gitlab-ci.yml': 'include: bad.yml\nj:\n  script: [x]\n',
        'bad.yml': 'a: [\n',
      }),
    ).toMatch(/^`bad\.yml`: /);
    expect(
      await failure({ '.gitlab-ci.yml': 'include: [{ file: a.yml }]\nj:\n  script: [x]\n' }),
    ).toBe(
      '`{"file":"a.yml"}` does not have a valid subkey for include. Valid subkeys are: `local`, `project`, `remote`, `template`, `artifact`, `component`',
    );
    expect(
      await failure({
        '.gitlab-ci.yml': 'include: [{ local: a.yml, template: b.yml }]\nj:\n  script: [x]\n',
      }),
    ).toBe(
      'Each include must use only one of: `local`, `project`, `remote`, `template`, `artifact`, `component`',
    );
    expect(
      await failure({
        '.gitlab-ci.yml': 'include: https://example.com/ci.yml\nj:\n  script: [x]\n',
      }),
    ).toBe('include:remote is not supported by the emulator: only local files');
    for (const type of ['project', 'template', 'component']) {
      expect(
        await failure({ '.gitlab-ci.yml': `include: [{ ${type}: x.yml }]\nj:\n  script: [x]\n` }),
      ).toBe(`include:${type} is not supported by the emulator: only local files`);
    }
    expect(
      await failure({
        '.gitlab-ci.yml': 'include: [{ local: a.yml, rules: [{ if: $X }] }]\nj:\n  script: [x]\n',
      }),
    ).toBe('include config uses keywords the emulator does not support: rules');
  });

  it('stops an include loop at 150 files', async () => {
    expect(
      await failure({
        '.gitlab-ci.yml': 'include: loop.yml\nj:\n  script: [x]\n',
        'loop.yml': 'include: loop.yml\nk:\n  script: [y]\n',
      }),
    ).toBe('Maximum of 150 nested includes are allowed!');
  });

  it('accepts an empty include, as GitLab does', async () => {
    const { jobs } = await parseCiConfig('include: []\nj:\n  script: [x]\n', {
      CI_COMMIT_BRANCH: 'main',
    });
    expect(jobs.map((job) => job.name)).toEqual(['j']);
    const withNull = await parseCiConfig('include:\nj:\n  script: [x]\n', {
      CI_COMMIT_BRANCH: 'main',
    });
    expect(withNull.jobs.map((job) => job.name)).toEqual(['j']);
  });

  it('says a config parsed without a project has no project', async () => {
    await expect(
      parseCiConfig('include: a.yml\nj:\n  script: [x]\n', { CI_COMMIT_BRANCH: 'main' }),
    ).rejects.toThrow('Local file `a.yml` does not have project!');
  });
});
