/**
 * The `201` body of `POST /jobs/request` for a job picked by a runner, shaped like GitLab's
 * `API::Entities::Ci::JobRequest::Response` (docs/runner-protocol.md §4). Pure: it reads the
 * state and returns JSON-ready data; it never changes a job.
 */
import type { EmulatorContext } from '../context.ts';
import type { Job, JobVariableSpec, Pipeline, Project, Runner } from '../model.ts';
import { expandVariables } from './expand-variables.ts';
import { GITLAB_FAILURE_REASONS as FAILURE_REASONS } from '../jobs/failure-reasons.ts';
import {
  isProtectedRef,
  persistedEnvironmentVariables,
  predefinedVariables,
  repoUrl,
} from './predefined-variables.ts';

/** Build the job payload GitLab would send to `runner` for `job` (docs/runner-protocol.md §4). */
export function buildJobPayload(
  ctx: EmulatorContext,
  job: Job,
  runner: Runner,
): Record<string, unknown> {
  const pipeline = ctx.state.pipelines.get(job.pipelineId);
  const project = ctx.state.projects.get(job.projectId);
  if (!pipeline || !project) {
    throw new Error(`job ${job.id} refers to a pipeline or project the emulator does not have`);
  }
  const isProtected = isProtectedRef(project, pipeline);
  const variables = jobVariables(ctx, job, runner, pipeline, project);
  const depth = gitDepth(variables, project);
  const timeout =
    runner.maximumTimeout && runner.maximumTimeout > 0
      ? Math.min(job.timeout, runner.maximumTimeout)
      : job.timeout;
  const now = ctx.clock.now();

  const payload: Record<string, unknown> = {
    id: job.id,
    token: job.token,
    allow_git_fetch: true,
    job_info: {
      id: job.id,
      name: job.name,
      stage: job.stage,
      pipeline_id: pipeline.id,
      project_id: project.id,
      project_name: project.name,
      project_full_path: project.fullPath,
      namespace_id: project.namespaceId,
      root_namespace_id: project.namespaceId,
      organization_id: 1,
      user_id: 1,
      time_in_queue_seconds: job.queuedAt === null ? 0 : Math.max(0, now - job.queuedAt) / 1000,
      project_jobs_running_on_instance_runners_count: '+Inf',
      queue_size: 0,
      queue_depth: 0,
    },
    git_info: {
      repo_url: repoUrl(ctx, project, job.token),
      repo_object_format: 'sha1',
      ref: pipeline.ref,
      sha: pipeline.sha,
      before_sha: pipeline.beforeSha,
      ref_type: pipeline.refType,
      refspecs: refspecs(pipeline, depth),
      depth,
      protected: isProtected,
    },
    runner_info: { timeout, runner_session_url: null, uuid: crypto.randomUUID() },
    variables: variables.map(toRunnerVariable),
    steps: job.steps.map((step) => ({
      name: step.name,
      script: step.script,
      timeout: step.timeout,
      when: step.when,
      allow_failure: step.allowFailure,
    })),
    image: job.image,
    services: job.services,
    artifacts: job.artifacts.map((artifact) => ({
      ...(artifact.name ? { name: artifact.name } : {}),
      untracked: artifact.untracked,
      paths: artifact.paths,
      ...(artifact.exclude.length > 0 ? { exclude: artifact.exclude } : {}),
      when: artifact.when,
      artifact_type: artifact.artifactType,
      artifact_format: artifact.artifactFormat,
      ...(artifact.expireIn ? { expire_in: artifact.expireIn } : {}),
    })),
    cache: job.cache.map((cache) => {
      // `Ci::Build#cache`: protected and unprotected refs never share a cache, unless the cache
      // says `unprotect: true` (docs/runner-protocol.md §4.9). Fallback keys get the same suffix.
      const suffix = isProtected && !cache.unprotect ? 'protected' : 'non_protected';
      return {
        key: `${cache.key}-${suffix}`,
        untracked: cache.untracked,
        policy: cache.policy,
        paths: cache.paths,
        when: cache.when,
        fallback_keys: cache.fallbackKeys.map((key) => `${key}-${suffix}`),
      };
    }),
    credentials: [],
    dependencies: dependencies(ctx, job, now),
    features: {
      trace_sections: true,
      failure_reasons: FAILURE_REASONS,
      token_mask_prefixes: [],
    },
    hooks: [],
  };
  return job.payloadOverrides ? { ...payload, ...job.payloadOverrides } : payload;
}

/**
 * Predefined, then config (global + job), project and pipeline variables, then the
 * environment's slug and URL: GitLab's order.
 */
function jobVariables(
  ctx: EmulatorContext,
  job: Job,
  runner: Runner,
  pipeline: Pipeline,
  project: Project,
): JobVariableSpec[] {
  const secret = (v: JobVariableSpec): JobVariableSpec => ({ ...v, public: v.public ?? false });
  return expandVariables([
    ...predefinedVariables(ctx, job, runner, pipeline, project),
    ...job.variables.map((v) => ({ ...v, public: v.public ?? true })),
    ...project.variables.map(secret),
    ...pipeline.variables.map(secret),
    ...persistedEnvironmentVariables(job),
  ]);
}

/** `Ci::Build#git_depth`: the job's `GIT_DEPTH` variable, else the project default. */
function gitDepth(variables: JobVariableSpec[], project: Project): number {
  const value = variables.findLast((v) => v.key === 'GIT_DEPTH')?.value;
  const parsed = value === undefined ? NaN : Number.parseInt(value, 10);
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : project.defaultGitDepth;
}

/** `Ci::BuildRunnerPresenter#refspecs` (docs/runner-protocol.md §4.3). */
function refspecs(pipeline: Pipeline, depth: number): string[] {
  const specs = [`+refs/pipelines/${pipeline.id}:refs/pipelines/${pipeline.id}`];
  const isMergeRequest = pipeline.ref.startsWith('refs/merge-requests/');
  if (depth > 0) {
    if (pipeline.refType === 'tag')
      specs.push(`+refs/tags/${pipeline.ref}:refs/tags/${pipeline.ref}`);
    else if (!isMergeRequest)
      specs.push(`+refs/heads/${pipeline.ref}:refs/remotes/origin/${pipeline.ref}`);
  } else {
    specs.push('+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*');
  }
  return specs;
}

/** `to_runner_variable`: `file` and `raw` are sent only when true. */
function toRunnerVariable(v: JobVariableSpec): Record<string, unknown> {
  return {
    key: v.key,
    value: v.value,
    public: v.public ?? true,
    ...(v.file ? { file: true } : {}),
    masked: v.masked ?? false,
    ...(v.raw ? { raw: true } : {}),
  };
}

/**
 * `dependencies[]` (docs/runner-protocol.md §4.11): the running job's own token (current GitLab), and `artifacts_file`
 * only for a dependency with an unexpired archive.
 */
function dependencies(ctx: EmulatorContext, job: Job, now: number): Record<string, unknown>[] {
  const pipeline = ctx.state.pipelines.get(job.pipelineId);
  if (!pipeline) return [];
  const result: Record<string, unknown>[] = [];
  for (const name of job.dependencies) {
    const dependency = pipeline.jobIds
      .map((id) => ctx.state.jobs.get(id))
      .find((candidate) => candidate?.name === name);
    if (!dependency) continue;
    const archive = dependency.artifactsStored.find(
      (a) => a.artifactType === 'archive' && (a.expiresAt === null || a.expiresAt > now),
    );
    result.push({
      id: dependency.id,
      name: dependency.name,
      token: job.token,
      ...(archive
        ? { artifacts_file: { filename: archive.filename, size: archive.data.byteLength } }
        : {}),
    });
  }
  return result;
}
