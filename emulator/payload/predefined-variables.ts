/**
 * The predefined `CI_*` variables GitLab puts in front of a job's own variables (docs/runner-protocol.md §4.5), in the
 * order GitLab's variables builder emits them: persisted job variables, job, server, project,
 * pipeline, commit, merge request, runner and user variables. Values follow GitLab's formats
 * (slugs, JSON tag list, ISO times) so a runner sees what gitlab.com would send.
 */
import type { EmulatorContext } from '../context.ts';
import type { Job, JobVariableSpec, Pipeline, Project, Runner } from '../model.ts';
import { environmentSlug } from '../pipelines/environment-slug.ts';
import { pipelineExtras } from '../pipelines/pipeline-extras.ts';

/** The GitLab version this emulator claims to be (`protected` in git_info exists since 18.3). */
export const EMULATED_GITLAB_VERSION = '18.3.0';

/** The emulator's only user, who creates every pipeline. */
export const EMULATED_USER = {
  id: 1,
  login: 'root',
  name: 'Administrator',
  email: 'admin@example.com',
} as const;

/** GitLab's `ref_slug`: lowercase, non-alphanumerics to `-`, at most 63 chars, no edge dashes. */
export function refSlug(ref: string): string {
  return ref
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
}

/** `ci_default_git_depth`-style branch protection: only the default branch is protected. */
export function isProtectedRef(project: Project, pipeline: Pipeline): boolean {
  return pipeline.refType === 'branch' && pipeline.ref === project.defaultBranch;
}

/**
 * The HTTP clone URL carrying the job token, as `git_info.repo_url` and `CI_REPOSITORY_URL`.
 * GitLab makes it from the project's `http_url_to_repo`, so it is on the external URL like
 * every other URL here (`Ci::Build#repo_url`).
 */
export function repoUrl(ctx: EmulatorContext, project: Project, token: string): string {
  const url = new URL(ctx.externalUrl());
  return `${url.protocol}//gitlab-ci-token:${token}@${url.host}/${project.fullPath}.git`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The name GitLab shows for a pipeline's ref: the branch or tag, or the MR's source branch. */
export function refName(pipeline: Pipeline): string {
  return pipelineExtras(pipeline).mergeRequest?.sourceBranch ?? pipeline.ref;
}

/** Predefined variables for `job` picked by `runner`, in GitLab's order. */
export function predefinedVariables(
  ctx: EmulatorContext,
  job: Job,
  runner: Runner,
  pipeline: Pipeline,
  project: Project,
): JobVariableSpec[] {
  // GitLab makes these from its `external_url`, the name people and runners reach it by.
  const baseUrl = ctx.externalUrl();
  const base = new URL(baseUrl);
  const projectUrl = `${baseUrl}/${project.fullPath}`;
  const namespace = project.fullPath.split('/').slice(0, -1).join('/');
  const rootNamespace = project.fullPath.split('/')[0] ?? '';
  const { commit, mergeRequest } = pipelineExtras(pipeline);
  const name = refName(pipeline);
  const port = base.port || (base.protocol === 'https:' ? '443' : '80');
  const [major = '0', minor = '0', patch = '0'] = EMULATED_GITLAB_VERSION.split('.');
  const message = commit?.message ?? '';
  const title = message.split('\n')[0] ?? '';
  const description = message.includes('\n') ? message.slice(message.indexOf('\n') + 1).trim() : '';

  const vars: JobVariableSpec[] = [];
  const pub = (key: string, value: string) =>
    vars.push({ key, value, public: true, masked: false });
  const secret = (key: string, value: string, masked: boolean) =>
    vars.push({ key, value, public: false, masked });

  // Persisted variables (Ci::Pipeline#persisted_variables, Ci::Build#persisted_variables).
  pub('CI_PIPELINE_ID', String(pipeline.id));
  pub('CI_PIPELINE_URL', `${projectUrl}/-/pipelines/${pipeline.id}`);
  pub('CI_JOB_ID', String(job.id));
  pub('CI_JOB_URL', `${projectUrl}/-/jobs/${job.id}`);
  secret('CI_JOB_TOKEN', job.token, true);
  pub('CI_JOB_STARTED_AT', iso(job.startedAt ?? ctx.clock.now()));
  pub('CI_BUILD_ID', String(job.id));
  secret('CI_BUILD_TOKEN', job.token, true);
  pub('CI_REGISTRY_USER', 'gitlab-ci-token');
  secret('CI_REGISTRY_PASSWORD', job.token, true);
  secret('CI_REPOSITORY_URL', repoUrl(ctx, project, job.token), false);
  pub('CI_DEPENDENCY_PROXY_USER', 'gitlab-ci-token');
  secret('CI_DEPENDENCY_PROXY_PASSWORD', job.token, true);

  // Job.
  pub('CI_JOB_NAME', job.name);
  pub('CI_JOB_NAME_SLUG', refSlug(job.name));
  pub('CI_JOB_STAGE', job.stage);
  if (job.parallel) pub('CI_NODE_INDEX', String(job.parallel.index));
  pub('CI_NODE_TOTAL', String(job.parallel?.total ?? 1));
  if (job.environment) {
    pub('CI_ENVIRONMENT_NAME', job.environment.name);
    pub('CI_ENVIRONMENT_ACTION', job.environment.action);
    pub('CI_ENVIRONMENT_TIER', job.environment.tier);
    if (job.environment.url !== null) pub('CI_ENVIRONMENT_URL', job.environment.url);
  }
  pub('CI_BUILD_NAME', job.name);
  pub('CI_BUILD_STAGE', job.stage);
  pub('GITLAB_CI', 'true');

  // Server.
  pub('CI_SERVER_FQDN', base.host);
  pub('CI_SERVER_URL', baseUrl);
  pub('CI_SERVER_HOST', base.hostname);
  pub('CI_SERVER_PORT', port);
  pub('CI_SERVER_PROTOCOL', base.protocol.replace(':', ''));
  pub('CI_SERVER_SHELL_SSH_HOST', base.hostname);
  pub('CI_SERVER_SHELL_SSH_PORT', '22');
  pub('CI_SERVER_NAME', 'GitLab');
  pub('CI_SERVER_VERSION', EMULATED_GITLAB_VERSION);
  pub('CI_SERVER_VERSION_MAJOR', major);
  pub('CI_SERVER_VERSION_MINOR', minor);
  pub('CI_SERVER_VERSION_PATCH', patch);
  pub('CI_SERVER_REVISION', 'emulator');
  pub('GITLAB_FEATURES', '');

  // Project.
  pub('CI_PROJECT_ID', String(project.id));
  pub('CI_PROJECT_NAME', project.path);
  pub('CI_PROJECT_TITLE', project.name);
  pub('CI_PROJECT_DESCRIPTION', '');
  pub('CI_PROJECT_PATH', project.fullPath);
  pub('CI_PROJECT_PATH_SLUG', refSlug(project.fullPath));
  pub('CI_PROJECT_NAMESPACE', namespace);
  pub('CI_PROJECT_NAMESPACE_SLUG', refSlug(namespace));
  pub('CI_PROJECT_NAMESPACE_ID', String(project.namespaceId));
  pub('CI_PROJECT_ROOT_NAMESPACE', rootNamespace);
  pub('CI_PROJECT_URL', projectUrl);
  pub('CI_PROJECT_VISIBILITY', 'private');
  pub('CI_PROJECT_REPOSITORY_LANGUAGES', 'javascript');
  pub('CI_PROJECT_CLASSIFICATION_LABEL', '');
  pub('CI_DEFAULT_BRANCH', project.defaultBranch);
  pub('CI_DEFAULT_BRANCH_SLUG', refSlug(project.defaultBranch));
  pub('CI_PROJECT_CONFIG_PATH', '.gitlab-ci.yml');
  pub('CI_CONFIG_PATH', '.gitlab-ci.yml');
  pub('CI_API_V4_URL', `${baseUrl}/api/v4`);
  pub('CI_API_GRAPHQL_URL', `${baseUrl}/api/graphql`);
  if (project.defaultGitDepth > 0) pub('GIT_DEPTH', String(project.defaultGitDepth));

  // Pipeline.
  pub('CI_PIPELINE_IID', String(pipeline.iid));
  pub('CI_PIPELINE_SOURCE', pipeline.source);
  pub('CI_PIPELINE_CREATED_AT', iso(pipeline.createdAt));
  pub('CI_PIPELINE_NAME', '');

  // Commit.
  pub('CI_COMMIT_SHA', pipeline.sha);
  pub('CI_COMMIT_SHORT_SHA', pipeline.sha.slice(0, 8));
  pub('CI_COMMIT_BEFORE_SHA', pipeline.beforeSha);
  pub('CI_COMMIT_REF_NAME', name);
  pub('CI_COMMIT_REF_SLUG', refSlug(name));
  if (pipeline.refType === 'tag') {
    pub('CI_COMMIT_TAG', pipeline.ref);
    pub('CI_COMMIT_TAG_MESSAGE', '');
  } else if (!mergeRequest) {
    pub('CI_COMMIT_BRANCH', pipeline.ref);
  }
  pub('CI_COMMIT_MESSAGE', message);
  pub('CI_COMMIT_TITLE', title);
  pub('CI_COMMIT_DESCRIPTION', description);
  pub('CI_COMMIT_REF_PROTECTED', String(isProtectedRef(project, pipeline)));
  pub('CI_COMMIT_TIMESTAMP', commit?.timestamp ?? iso(pipeline.createdAt));
  pub('CI_COMMIT_AUTHOR', commit ? `${commit.authorName} <${commit.authorEmail}>` : '');
  pub('CI_BUILD_REF', pipeline.sha);
  pub('CI_BUILD_BEFORE_SHA', pipeline.beforeSha);
  pub('CI_BUILD_REF_NAME', name);
  pub('CI_BUILD_REF_SLUG', refSlug(name));
  if (pipeline.refType === 'tag') pub('CI_BUILD_TAG', pipeline.ref);

  // Merge request (detached merge request pipelines).
  if (mergeRequest) {
    pub('CI_MERGE_REQUEST_ID', String(mergeRequest.iid));
    pub('CI_MERGE_REQUEST_IID', String(mergeRequest.iid));
    pub('CI_MERGE_REQUEST_REF_PATH', `refs/merge-requests/${mergeRequest.iid}/head`);
    pub('CI_MERGE_REQUEST_PROJECT_ID', String(project.id));
    pub('CI_MERGE_REQUEST_PROJECT_PATH', project.fullPath);
    pub('CI_MERGE_REQUEST_PROJECT_URL', projectUrl);
    pub('CI_MERGE_REQUEST_TITLE', mergeRequest.title);
    pub('CI_MERGE_REQUEST_SOURCE_BRANCH_NAME', mergeRequest.sourceBranch);
    pub('CI_MERGE_REQUEST_SOURCE_BRANCH_SHA', '');
    pub('CI_MERGE_REQUEST_SOURCE_PROJECT_ID', String(project.id));
    pub('CI_MERGE_REQUEST_SOURCE_PROJECT_PATH', project.fullPath);
    pub('CI_MERGE_REQUEST_SOURCE_PROJECT_URL', projectUrl);
    pub('CI_MERGE_REQUEST_TARGET_BRANCH_NAME', mergeRequest.targetBranch);
    pub('CI_MERGE_REQUEST_TARGET_BRANCH_SHA', '');
    pub(
      'CI_MERGE_REQUEST_TARGET_BRANCH_PROTECTED',
      String(mergeRequest.targetBranch === project.defaultBranch),
    );
    pub('CI_MERGE_REQUEST_DIFF_BASE_SHA', mergeRequest.diffBaseSha);
    pub('CI_MERGE_REQUEST_EVENT_TYPE', 'detached');
    pub('CI_MERGE_REQUEST_DRAFT', 'false');
    pub('CI_MERGE_REQUEST_APPROVED', 'false');
    pub('CI_OPEN_MERGE_REQUESTS', `${project.fullPath}!${mergeRequest.iid}`);
  }

  // Runner.
  pub('CI_RUNNER_ID', String(runner.id));
  pub('CI_RUNNER_DESCRIPTION', runner.description);
  pub('CI_RUNNER_TAGS', JSON.stringify(runner.tags));

  // User who triggered the pipeline.
  pub('GITLAB_USER_ID', String(EMULATED_USER.id));
  pub('GITLAB_USER_EMAIL', EMULATED_USER.email);
  pub('GITLAB_USER_LOGIN', EMULATED_USER.login);
  pub('GITLAB_USER_NAME', EMULATED_USER.name);
  return vars;
}

/**
 * `Ci::Build#persisted_environment_variables`: appended after every other variable, with the
 * URL again unexpanded so the runner expands it once `CI_ENVIRONMENT_SLUG` is known.
 */
export function persistedEnvironmentVariables(job: Job): JobVariableSpec[] {
  if (!job.environment) return [];
  const vars: JobVariableSpec[] = [
    { key: 'CI_ENVIRONMENT_SLUG', value: environmentSlug(job.environment.name), public: true },
  ];
  if (job.environment.url !== null) {
    vars.push({ key: 'CI_ENVIRONMENT_URL', value: job.environment.url, public: true });
  }
  return vars;
}
