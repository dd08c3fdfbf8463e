import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jobPayloadSchema } from '../../src/gitlab/job-payload.ts';
import { commitFiles, createProject } from '../git/index.ts';
import { createTestContext, type TestContext } from '../git/test-context.ts';
import type { Job, Pipeline, Project, Runner } from '../model.ts';
import { createPipeline } from '../pipelines/index.ts';
import { testRunner } from '../test-support/index.ts';
import { buildJobPayload, FAILURE_REASONS } from './index.ts';

const SAMPLE = fileURLToPath(new URL('../sample', import.meta.url));

/** A tagged runner, so the payload's CI_RUNNER_* variables have values to check. */
const runner = (overrides: Partial<Runner> = {}): Runner =>
  testRunner({ id: 7, description: 'tab runner', tags: ['node', 'browser'], ...overrides });

type Variable = { key: string; value: string; public: boolean; masked: boolean; file?: boolean };

describe('buildJobPayload', () => {
  let t: TestContext;
  let base: string;
  let project: Project;

  beforeEach(async () => {
    t = await createTestContext();
    base = await t.listen();
    project = await createProject(t.ctx, {
      path: 'sample',
      namespace: 'demo',
      sourceDir: SAMPLE,
      variables: [{ key: 'DEPLOY_KEY', value: 'secret-value', masked: true }],
    });
  });
  afterEach(() => t.dispose());

  const jobsOf = (pipeline: Pipeline): Job[] =>
    pipeline.jobIds.map((id) => t.ctx.state.jobs.get(id)).filter((j): j is Job => !!j);
  const jobNamed = (pipeline: Pipeline, name: string): Job => {
    const job = jobsOf(pipeline).find((j) => j.name === name);
    if (!job) throw new Error(`no job ${name}`);
    return job;
  };
  const vars = (payload: Record<string, unknown>) => payload.variables as Variable[];
  const varValue = (payload: Record<string, unknown>, key: string) =>
    vars(payload).findLast((v) => v.key === key)?.value;

  it('sets CI_ENVIRONMENT_* for a job with environment, slug and URL last', async () => {
    const yaml = [
      'deploy:',
      '  script: [x]',
      '  environment: { name: review/Fix-1, url: "https://$CI_ENVIRONMENT_SLUG.example.com" }',
      'plain:',
      '  script: [x]',
    ].join('\n');
    const pipeline = await createPipeline(t.ctx, project.id, { ref: 'main', yaml });
    const payload = buildJobPayload(t.ctx, jobNamed(pipeline, 'deploy'), runner());
    const slug = varValue(payload, 'CI_ENVIRONMENT_SLUG');
    expect(slug).toMatch(/^review-fix-1-[a-z0-9]{6}$/);
    expect(varValue(payload, 'CI_ENVIRONMENT_NAME')).toBe('review/Fix-1');
    expect(varValue(payload, 'CI_ENVIRONMENT_ACTION')).toBe('start');
    expect(varValue(payload, 'CI_ENVIRONMENT_TIER')).toBe('development');
    expect(vars(payload).at(-1)?.key).toBe('CI_ENVIRONMENT_URL');
    expect(varValue(payload, 'CI_ENVIRONMENT_URL')).toBe(`https://${slug}.example.com`);
    const plain = buildJobPayload(t.ctx, jobNamed(pipeline, 'plain'), runner());
    expect(vars(plain).some((v) => v.key.startsWith('CI_ENVIRONMENT_'))).toBe(false);
  });

  it('shapes a build job of the sample pipeline like docs/runner-protocol.md §4', async () => {
    const pipeline = await createPipeline(t.ctx, project.id, { ref: 'main' });
    const job = jobNamed(pipeline, 'shell-build');
    job.status = 'running';
    const payload = buildJobPayload(t.ctx, job, runner());

    expect(payload.id).toBe(job.id);
    expect(payload.token).toBe(job.token);
    expect(job.token).toMatch(/^glcbt-/);
    expect(payload.allow_git_fetch).toBe(true);
    expect(payload.job_info).toMatchObject({
      id: job.id,
      name: 'shell-build',
      stage: 'build',
      pipeline_id: pipeline.id,
      project_id: project.id,
      project_name: 'sample',
      project_full_path: 'demo/sample',
    });
    const host = base.replace('http://', '');
    expect(payload.git_info).toEqual({
      repo_url: `http://gitlab-ci-token:${job.token}@${host}/demo/sample.git`,
      repo_object_format: 'sha1',
      ref: 'main',
      sha: pipeline.sha,
      before_sha: '0'.repeat(40),
      ref_type: 'branch',
      refspecs: [
        `+refs/pipelines/${pipeline.id}:refs/pipelines/${pipeline.id}`,
        '+refs/heads/main:refs/remotes/origin/main',
      ],
      depth: 20,
      protected: true,
    });
    expect(payload.runner_info).toMatchObject({ timeout: 3600, runner_session_url: null });
    expect(payload.steps).toEqual([
      {
        name: 'script',
        script: [
          'echo "job $CI_JOB_NAME on $CI_COMMIT_REF_NAME"',
          'mkdir -p $BUILD_DIR',
          'echo "$GREETING from $CI_PROJECT_PATH" > $BUILD_DIR/greeting.txt',
          'ls $BUILD_DIR',
        ],
        timeout: 3600,
        when: 'on_success',
        allow_failure: false,
      },
      {
        name: 'after_script',
        script: ['echo "after_script of $CI_JOB_NAME"'],
        timeout: 3600,
        when: 'always',
        allow_failure: true,
      },
    ]);
    expect(payload.artifacts).toEqual([
      {
        untracked: false,
        paths: ['out/'],
        when: 'on_success',
        artifact_type: 'archive',
        artifact_format: 'zip',
        expire_in: '1 day',
      },
    ]);
    expect(payload.features).toEqual({
      trace_sections: true,
      failure_reasons: FAILURE_REASONS,
      token_mask_prefixes: [],
    });
    expect(payload.dependencies).toEqual([]);
    expect(payload.hooks).toEqual([]);

    const token = vars(payload).find((v) => v.key === 'CI_JOB_TOKEN');
    expect(token).toEqual({ key: 'CI_JOB_TOKEN', value: job.token, public: false, masked: true });
    expect(varValue(payload, 'CI_JOB_ID')).toBe(String(job.id));
    expect(varValue(payload, 'CI_JOB_URL')).toBe(`${base}/demo/sample/-/jobs/${job.id}`);
    expect(varValue(payload, 'CI_JOB_STAGE')).toBe('build');
    expect(varValue(payload, 'CI_PIPELINE_ID')).toBe(String(pipeline.id));
    expect(varValue(payload, 'CI_PIPELINE_SOURCE')).toBe('push');
    expect(varValue(payload, 'CI_PROJECT_PATH')).toBe('demo/sample');
    expect(varValue(payload, 'CI_COMMIT_REF_NAME')).toBe('main');
    expect(varValue(payload, 'CI_COMMIT_BRANCH')).toBe('main');
    expect(varValue(payload, 'CI_COMMIT_TITLE')).toBe('Initial commit');
    expect(varValue(payload, 'CI_COMMIT_TAG')).toBeUndefined();
    expect(varValue(payload, 'CI_SERVER_URL')).toBe(base);
    expect(varValue(payload, 'CI_API_V4_URL')).toBe(`${base}/api/v4`);
    expect(varValue(payload, 'CI_RUNNER_ID')).toBe('7');
    expect(varValue(payload, 'CI_RUNNER_TAGS')).toBe('["node","browser"]');
    expect(varValue(payload, 'GITLAB_USER_LOGIN')).toBe('root');
    expect(varValue(payload, 'GREETING')).toBe('hello');
    // Project variables come after config variables and keep their secrecy.
    const keys = vars(payload).map((v) => v.key);
    expect(keys.indexOf('DEPLOY_KEY')).toBeGreaterThan(keys.indexOf('GREETING'));
    expect(keys.indexOf('GREETING')).toBeGreaterThan(keys.indexOf('CI_JOB_TOKEN'));
    expect(vars(payload).find((v) => v.key === 'DEPLOY_KEY')).toMatchObject({
      public: false,
      masked: true,
    });
    // The runner's own parser accepts what the emulator sends.
    expect(jobPayloadSchema.safeParse(payload).success).toBe(true);
  });

  it('makes every URL it hands out from the external URL, as GitLab does from external_url', async () => {
    const room = 'http://192.168.1.20:9100';
    const ctx = { ...t.ctx, externalUrl: () => room };
    const pipeline = await createPipeline(ctx, project.id, { ref: 'main' });
    const job = jobNamed(pipeline, 'shell-build');
    const payload = buildJobPayload(ctx, job, runner());
    const projectUrl = `${room}/demo/sample`;
    expect(varValue(payload, 'CI_JOB_URL')).toBe(`${projectUrl}/-/jobs/${job.id}`);
    expect(varValue(payload, 'CI_PIPELINE_URL')).toBe(`${projectUrl}/-/pipelines/${pipeline.id}`);
    expect(varValue(payload, 'CI_PROJECT_URL')).toBe(projectUrl);
    expect(varValue(payload, 'CI_SERVER_URL')).toBe(room);
    expect(varValue(payload, 'CI_SERVER_HOST')).toBe('192.168.1.20');
    expect(varValue(payload, 'CI_SERVER_PORT')).toBe('9100');
    expect(varValue(payload, 'CI_API_V4_URL')).toBe(`${room}/api/v4`);
    const clone = `http://gitlab-ci-token:${job.token}@192.168.1.20:9100/demo/sample.git`;
    expect(varValue(payload, 'CI_REPOSITORY_URL')).toBe(clone);
    expect((payload.git_info as { repo_url: string }).repo_url).toBe(clone);
    // Nothing still names the address the emulator listens on.
    expect(JSON.stringify(payload)).not.toContain(new URL(base).host);
  });

  it('gives a test job its dependency with an archive only when one is stored and fresh', async () => {
    const pipeline = await createPipeline(t.ctx, project.id, { ref: 'main' });
    const build = jobNamed(pipeline, 'shell-build');
    const test = jobNamed(pipeline, 'shell-test');
    test.status = 'running';
    expect(buildJobPayload(t.ctx, test, runner()).dependencies).toEqual([
      { id: build.id, name: 'shell-build', token: test.token },
    ]);

    build.artifactsStored.push({
      artifactType: 'archive',
      artifactFormat: 'zip',
      filename: 'artifacts.zip',
      data: new Uint8Array(42),
      expiresAt: t.ctx.clock.now() + 60_000,
      uploadedAt: t.ctx.clock.now(),
    });
    const payload = buildJobPayload(t.ctx, test, runner());
    expect(payload.dependencies).toEqual([
      {
        id: build.id,
        name: 'shell-build',
        token: test.token,
        artifacts_file: { filename: 'artifacts.zip', size: 42 },
      },
    ]);
    expect(varValue(payload, 'EXPECTED')).toBe('hello');

    const stored = build.artifactsStored[0];
    if (stored) stored.expiresAt = t.ctx.clock.now() - 1;
    expect(buildJobPayload(t.ctx, test, runner()).dependencies).toEqual([
      { id: build.id, name: 'shell-build', token: test.token },
    ]);
  });

  it('sends needs-based dependencies, job timeout capped by the runner, and the cache', async () => {
    const pipeline = await createPipeline(t.ctx, project.id, { ref: 'main' });
    const nodeTest = jobNamed(pipeline, 'node-test');
    const payload = buildJobPayload(t.ctx, nodeTest, runner({ maximumTimeout: 300 }));
    expect((payload.dependencies as { name: string }[]).map((d) => d.name)).toEqual(['node-build']);
    expect(payload.runner_info).toMatchObject({ timeout: 300 });
    expect(payload.image).toEqual({ name: 'node:20' });
    expect(payload.cache).toEqual([
      {
        key: 'npm-protected',
        untracked: false,
        policy: 'pull-push',
        paths: ['.npm/'],
        when: 'on_success',
        fallback_keys: [],
      },
    ]);
    expect(buildJobPayload(t.ctx, nodeTest, runner()).runner_info).toMatchObject({ timeout: 600 });
  });

  it('describes a tag pipeline with tag refspecs and CI_COMMIT_TAG', async () => {
    const sha = await commitFiles(t.ctx, project.id, {
      branch: 'main',
      files: { 'CHANGELOG.md': '1.0\n' },
      message: 'Release 1.0\n\nFirst release.',
    });
    const { execFile } = await import('node:child_process');
    await new Promise<void>((resolve, reject) =>
      execFile('git', [`--git-dir=${project.gitDir}`, 'tag', 'v1.0', sha], (e) =>
        e ? reject(e) : resolve(),
      ),
    );
    const pipeline = await createPipeline(t.ctx, project.id, { ref: 'v1.0' });
    const job = jobNamed(pipeline, 'shell-build');
    const payload = buildJobPayload(t.ctx, job, runner());
    expect(payload.git_info).toMatchObject({
      ref: 'v1.0',
      sha,
      ref_type: 'tag',
      protected: false,
      refspecs: [
        `+refs/pipelines/${pipeline.id}:refs/pipelines/${pipeline.id}`,
        '+refs/tags/v1.0:refs/tags/v1.0',
      ],
    });
    expect(varValue(payload, 'CI_COMMIT_TAG')).toBe('v1.0');
    expect(varValue(payload, 'CI_COMMIT_BRANCH')).toBeUndefined();
    expect(varValue(payload, 'CI_COMMIT_REF_SLUG')).toBe('v1-0');
    expect(varValue(payload, 'CI_COMMIT_TITLE')).toBe('Release 1.0');
    expect(varValue(payload, 'CI_COMMIT_DESCRIPTION')).toBe('First release.');
  });

  it('describes a merge-request pipeline with its MR ref and requires refspecs', async () => {
    const sha = await commitFiles(t.ctx, project.id, {
      branch: 'feature/x',
      files: { 'x.txt': 'x\n' },
      message: 'Add x',
    });
    const pipeline = await createPipeline(t.ctx, project.id, {
      ref: 'feature/x',
      mergeRequestIid: 3,
      mergeRequestTitle: 'Add x',
      // Jobs without rules are `only: [branches, tags]` on GitLab: none in a merge-request pipeline.
      yaml: 'shell-build:\n  script: [echo]\n  rules:\n    - if: $CI_MERGE_REQUEST_IID\n',
    });
    expect(pipeline.source).toBe('merge_request_event');
    const job = jobNamed(pipeline, 'shell-build');
    expect(job.requiredFeatures).toContain('refspecs');
    const payload = buildJobPayload(t.ctx, job, runner());
    expect(payload.git_info).toMatchObject({
      ref: 'refs/merge-requests/3/head',
      sha,
      ref_type: 'branch',
      protected: false,
      refspecs: [`+refs/pipelines/${pipeline.id}:refs/pipelines/${pipeline.id}`],
    });
    expect(varValue(payload, 'CI_MERGE_REQUEST_IID')).toBe('3');
    expect(varValue(payload, 'CI_MERGE_REQUEST_SOURCE_BRANCH_NAME')).toBe('feature/x');
    expect(varValue(payload, 'CI_MERGE_REQUEST_TARGET_BRANCH_NAME')).toBe('main');
    expect(varValue(payload, 'CI_MERGE_REQUEST_REF_PATH')).toBe('refs/merge-requests/3/head');
    expect(varValue(payload, 'CI_COMMIT_REF_NAME')).toBe('feature/x');
    expect(varValue(payload, 'CI_COMMIT_BRANCH')).toBeUndefined();
    expect(varValue(payload, 'CI_PIPELINE_SOURCE')).toBe('merge_request_event');
  });

  it('takes depth from GIT_DEPTH and sends both wildcards for a full clone', async () => {
    const pipeline = await createPipeline(t.ctx, project.id, {
      ref: 'main',
      jobs: [{ name: 'full', script: ['true'], variables: { GIT_DEPTH: '0', A: '$B-x', B: 'b' } }],
    });
    const job = jobNamed(pipeline, 'full');
    const payload = buildJobPayload(t.ctx, job, runner());
    expect(payload.git_info).toMatchObject({
      depth: 0,
      refspecs: [
        `+refs/pipelines/${pipeline.id}:refs/pipelines/${pipeline.id}`,
        '+refs/heads/*:refs/remotes/origin/*',
        '+refs/tags/*:refs/tags/*',
      ],
    });
    // GitLab expands references server-side before sending (docs/runner-protocol.md §4.5).
    expect(varValue(payload, 'A')).toBe('b-x');
  });
});
