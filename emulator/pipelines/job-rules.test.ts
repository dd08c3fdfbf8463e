/**
 * `rules: exists` and `rules: changes` (and `only: changes`) against a real hosted repository:
 * the tree at the pipeline's commit, and what the push, the merge request or `compare_to` changed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitFiles, createProject, filesAt } from '../git/index.ts';
import { runGit } from '../git/run-git.ts';
import { createTestContext, type TestContext } from '../git/test-context.ts';
import type { Pipeline, Project } from '../model.ts';
import { buildJobPayload } from '../payload/index.ts';
import { pipelineJobs, testRunner } from '../test-support/index.ts';
import { createPipeline, type PipelineInput } from './create-pipeline.ts';

const ZERO_SHA = '0'.repeat(40);

const runner = testRunner();

describe('rules: exists and changes', () => {
  let t: TestContext;
  let project: Project;
  let base: string;

  beforeEach(async () => {
    t = await createTestContext();
    project = await createProject(t.ctx, { path: 'app', namespace: 'group' });
    base = await commitFiles(t.ctx, project.id, {
      branch: 'main',
      files: {
        Dockerfile: 'FROM x\n',
        'docs/guide/index.md': '# x\n',
        'src/a.js': '1\n',
        '.env.example': 'A=1\n',
      },
      message: 'base',
    });
  });
  afterEach(() => t.dispose());

  const names = async (input: PipelineInput): Promise<string[]> => {
    const pipeline: Pipeline = await createPipeline(t.ctx, project.id, input);
    return pipelineJobs(t.ctx.state, pipeline).map((job) => job.name);
  };

  it('lists a commit’s files recursively, dot files included', async () => {
    expect(await filesAt(project, base)).toEqual([
      '.env.example',
      'Dockerfile',
      'docs/guide/index.md',
      'src/a.js',
    ]);
  });

  it('keeps jobs whose exists globs match a file at the commit (GitLab docs examples)', async () => {
    const yaml = `
docker:
  script: [x]
  rules:
    - exists: [Dockerfile]
markdown:
  script: [x]
  rules:
    - exists: ["**/*.md"]
top-level-md:
  script: [x]
  rules:
    - exists: ["*.md"]
dotfile:
  script: [x]
  rules:
    - exists: ["*.example"]
paths-form:
  script: [x]
  rules:
    - exists:
        paths: ['src/{b,a}.js']
from-variable:
  script: [x]
  variables: { DIR: src }
  rules:
    - exists: [$DIR/*.js]
gemfile:
  script: [x]
  rules:
    - exists: [Gemfile]
`;
    expect(await names({ ref: 'main', yaml })).toEqual([
      'docker',
      'markdown',
      'dotfile',
      'paths-form',
      'from-variable',
    ]);
    await expect(
      names({
        ref: 'main',
        yaml: 'j:\n  script: [x]\n  rules:\n    - exists: { paths: [a], project: g/p }\n',
      }),
    ).rejects.toThrow(
      'jobs:j:rules:0:exists config uses keywords the emulator does not support: project',
    );
  });

  const CHANGES = `
docs:
  script: [x]
  rules:
    - changes: [docs/**/*]
code:
  script: [x]
  rules:
    - changes:
        paths: ["src/*.js"]
legacy-docs:
  script: [x]
  only:
    changes: ["**/*.md"]
since-main:
  script: [x]
  rules:
    - changes:
        paths: [src/*]
        compare_to: main
`;

  it('compares a push with the branch head before it', async () => {
    const docsCommit = await commitFiles(t.ctx, project.id, {
      branch: 'main',
      files: { '.gitlab-ci.yml': CHANGES, 'docs/guide/index.md': '# changed\n' },
      message: 'docs',
    });
    expect(await names({ ref: 'main', beforeSha: base })).toEqual(['docs', 'legacy-docs']);
    // The default is the commit's parent, as when one commit is pushed.
    expect(await names({ ref: 'main' })).toEqual(['docs', 'legacy-docs']);
    // A push that also brought the code change: everything since `base`.
    const codeCommit = await commitFiles(t.ctx, project.id, {
      branch: 'main',
      files: { 'src/a.js': '2\n' },
      message: 'code',
    });
    expect(await names({ ref: 'main', beforeSha: docsCommit })).toEqual(['code']);
    expect(await names({ ref: 'main', beforeSha: base })).toEqual(['docs', 'code', 'legacy-docs']);
    expect(codeCommit).not.toBe(docsCommit);
  });

  it('holds for a new branch, a tag and a web pipeline, which have nothing to compare', async () => {
    await commitFiles(t.ctx, project.id, {
      branch: 'feature',
      files: { '.gitlab-ci.yml': CHANGES },
      message: 'ci',
    });
    const all = ['docs', 'code', 'legacy-docs'];
    expect(await names({ ref: 'feature', beforeSha: ZERO_SHA })).toEqual(all);
    expect(await names({ ref: 'feature', source: 'web' })).toEqual(all);
    await commitFiles(t.ctx, project.id, {
      branch: 'main',
      files: { '.gitlab-ci.yml': CHANGES },
      message: 'ci',
    });
    await runGit(['tag', 'v1', 'main'], { gitDir: project.gitDir });
    expect(await names({ ref: 'v1' })).toEqual(all);
  });

  it('compares a merge request with its target, and compare_to with the merge base', async () => {
    await commitFiles(t.ctx, project.id, {
      branch: 'main',
      files: { '.gitlab-ci.yml': CHANGES },
      message: 'ci',
    });
    await commitFiles(t.ctx, project.id, {
      branch: 'feature',
      files: { 'src/b.js': 'b\n' },
      message: 'b',
    });
    await commitFiles(t.ctx, project.id, {
      branch: 'feature',
      files: { 'README.txt': 'r\n' },
      message: 'r',
    });
    // main moves on after feature branched: its changes are not the feature's.
    await commitFiles(t.ctx, project.id, {
      branch: 'main',
      files: { 'docs/new.md': 'n\n' },
      message: 'n',
    });
    // Only the last push (README.txt) counts for rules: changes without compare_to.
    expect(await names({ ref: 'feature' })).toEqual(['since-main']);
    // Merge request pipelines compare the whole merge request; `only:` jobs are not in them.
    expect(await names({ ref: 'feature', mergeRequestIid: 1 })).toEqual(['code', 'since-main']);
    await expect(
      names({
        ref: 'feature',
        yaml: 'j:\n  script: [x]\n  rules:\n    - changes: { paths: [a], compare_to: nope }\n',
      }),
    ).rejects.toThrow('rules:changes:compare_to is not a valid ref');
  });
});

describe('parallel jobs in the payload', () => {
  let t: TestContext;
  afterEach(() => t.dispose());

  it('sends CI_NODE_INDEX and CI_NODE_TOTAL, and CI_NODE_TOTAL 1 for other jobs', async () => {
    t = await createTestContext();
    const project = await createProject(t.ctx, { path: 'app', namespace: 'group' });
    await commitFiles(t.ctx, project.id, {
      branch: 'main',
      files: { 'a.txt': 'a\n' },
      message: 'a',
    });
    const pipeline = await createPipeline(t.ctx, project.id, {
      ref: 'main',
      yaml: 'test:\n  parallel: 2\n  script: [x]\nmatrix:\n  parallel:\n    matrix:\n      - OS: [linux]\n  script: [x]\nsolo:\n  script: [x]\n',
    });
    const nodeVariables = pipelineJobs(t.ctx.state, pipeline).map((job) => {
      const variables = buildJobPayload(t.ctx, job, runner).variables as {
        key: string;
        value: string;
      }[];
      return [
        job.name,
        ...variables
          .filter((v) => v.key.startsWith('CI_NODE_') || v.key === 'OS')
          .map((v) => `${v.key}=${v.value}`),
      ];
    });
    expect(nodeVariables).toEqual([
      ['test 1/2', 'CI_NODE_INDEX=1', 'CI_NODE_TOTAL=2'],
      ['test 2/2', 'CI_NODE_INDEX=2', 'CI_NODE_TOTAL=2'],
      ['matrix: [linux]', 'CI_NODE_INDEX=1', 'CI_NODE_TOTAL=1', 'OS=linux'],
      ['solo', 'CI_NODE_TOTAL=1'],
    ]);
  });
});
