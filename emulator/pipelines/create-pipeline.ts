/**
 * Creating a pipeline as GitLab does on a push, a tag, an API call or a merge request: resolve
 * the commit, read the config (a JSON description, or `.gitlab-ci.yml` at that commit with its
 * local includes, `exists` and `changes` read from the repository at that commit), create
 * its jobs with fresh job tokens, write `refs/pipelines/<id>` (and the merge-request ref), then
 * queue the first stage through `advancePipeline`.
 */
import type { EmulatorContext } from '../context.ts';
import {
  isTag,
  mergeBase,
  parentOf,
  readCommit,
  readFileAt,
  resolveCommit,
  writeMergeRequestRef,
  writePipelineRef,
} from '../git/repository.ts';
import type { Job, JobVariableSpec, Pipeline, Project } from '../model.ts';
import { refSlug } from '../payload/index.ts';
import { advancePipeline } from './advance-pipeline.ts';
import { resolveCacheKeys } from './cache-keys.ts';
import { CiConfigError } from './ci-config-error.ts';
import { DEFAULT_STAGES, parseCiConfig } from './ci-config.ts';
import { configVariables, defineJob, type JobSpecJson } from './job-spec.ts';
import { setPipelineExtras, type MergeRequestInfo } from './pipeline-extras.ts';
import { newJobState } from './new-job-state.ts';
import { projectFiles } from './pipeline-files.ts';

/** What a pipeline is for, and where its jobs come from. */
export interface PipelineInputBase {
  /** Branch or tag; for a merge request, its source branch. */
  ref: string;
  /** Commit to build. Default: the ref's head. */
  sha?: string;
  /** Whether `ref` is a tag. Default: looked up in the repository. */
  tag?: boolean;
  /** Makes a merge-request pipeline (`refs/merge-requests/<iid>/head`, docs/runner-protocol.md §4.3, §11). */
  mergeRequestIid?: number;
  /** Merge request target. Default: the project's default branch. */
  targetBranch?: string;
  /** Merge request title. Default `Draft: <ref>`. */
  mergeRequestTitle?: string;
  /** `CI_PIPELINE_SOURCE`. Default `merge_request_event` for merge requests, else `push`. */
  source?: Pipeline['source'];
  /**
   * The branch head before the push that makes this pipeline (`CI_COMMIT_BEFORE_SHA`; forty
   * zeros for a new branch), which `rules: changes` compares against. Default: the commit's parent.
   */
  beforeSha?: string;
  /** Pipeline variables (API/trigger variables): highest precedence, non-public. */
  variables?: JobVariableSpec[] | Record<string, string>;
}

/** A pipeline from a JSON description of its jobs. */
export interface JsonPipelineInput extends PipelineInputBase {
  jobs: JobSpecJson[];
  /** Stage order. Default: GitLab's default stages, keeping only those jobs use. */
  stages?: string[];
}

/** A pipeline from YAML: `yaml`, or the project's `.gitlab-ci.yml` at the commit. */
export interface YamlPipelineInput extends PipelineInputBase {
  yaml?: string;
}

export type PipelineInput = JsonPipelineInput | YamlPipelineInput;

/** Create a pipeline for a project and queue its first jobs. Throws CiConfigError on bad config. */
export async function createPipeline(
  ctx: EmulatorContext,
  projectId: number,
  input: PipelineInput,
): Promise<Pipeline> {
  const project = ctx.state.projects.get(projectId);
  if (!project) throw new Error(`no project ${projectId}`);
  const sha = input.sha ?? (await resolveCommit(project, input.ref));
  if (!sha) throw new CiConfigError('ref', `${input.ref} does not exist in ${project.fullPath}`);
  const tag =
    input.tag ?? (input.mergeRequestIid === undefined && (await isTag(project, input.ref)));
  const isMergeRequest = input.mergeRequestIid !== undefined;
  const source = input.source ?? (isMergeRequest ? 'merge_request_event' : 'push');
  const pipelineVariables = pipelineVariableSpecs(input.variables);

  let mergeRequest: MergeRequestInfo | null = null;
  if (input.mergeRequestIid !== undefined) {
    const targetBranch = input.targetBranch ?? project.defaultBranch;
    const targetSha = await resolveCommit(project, targetBranch);
    mergeRequest = {
      iid: input.mergeRequestIid,
      sourceBranch: input.ref,
      targetBranch,
      title: input.mergeRequestTitle ?? `Draft: ${input.ref}`,
      sourceSha: sha,
      diffBaseSha: targetSha ? await mergeBase(project, targetSha, sha) : '',
    };
  }

  const beforeSha =
    input.beforeSha ?? (source === 'push' ? await parentOf(project, sha) : '0'.repeat(40));
  const ruleVariables = pipelineRuleVariables(project, input.ref, sha, tag, source, mergeRequest);
  const config =
    'jobs' in input
      ? { stages: input.stages ?? stagesUsed(input.jobs), jobs: input.jobs }
      : await parseCiConfig(
          input.yaml ?? (await requireConfig(project, sha)),
          ruleVariables,
          Object.fromEntries(pipelineVariables.map((v) => [v.key, v.value])),
          projectFiles(project, sha, {
            source,
            tag,
            beforeSha,
            mergeRequestDiffBase: mergeRequest?.diffBaseSha ?? null,
          }),
        );

  const definitions = config.jobs.map((spec) => defineJob(spec, isMergeRequest));
  for (const definition of definitions) {
    if (!config.stages.includes(definition.stage)) {
      throw new CiConfigError(
        `jobs:${definition.name}:stage`,
        `chosen stage ${definition.stage} does not exist; available stages are ${config.stages.join(', ')}`,
      );
    }
  }
  const names = new Set(definitions.map((d) => d.name));
  if (names.size !== definitions.length)
    throw new CiConfigError('jobs', 'job names must be unique');
  for (const definition of definitions) {
    for (const name of [...(definition.needs ?? []), ...(definition.explicitDependencies ?? [])]) {
      if (!names.has(name)) {
        throw new CiConfigError(
          `jobs:${definition.name}`,
          `refers to ${name}, which is not defined`,
        );
      }
    }
    // `Entry::Job`: with needs, dependencies may only name needed jobs.
    const needs = definition.needs ?? [];
    const missing = (definition.explicitDependencies ?? []).filter((name) => !needs.includes(name));
    if (needs.length > 0 && missing.length > 0) {
      throw new CiConfigError(
        `jobs:${definition.name}`,
        `dependencies the ${missing.join(', ')} should be part of needs`,
      );
    }
  }

  const caches = await resolveCacheKeys(
    project,
    sha,
    definitions.map((definition) => definition.cache),
  );
  const now = ctx.clock.now();
  const pipeline: Pipeline = {
    id: ctx.state.nextId('pipeline'),
    iid: ctx.state.nextId(`pipeline-iid:${project.id}`),
    projectId: project.id,
    ref: mergeRequest ? `refs/merge-requests/${mergeRequest.iid}/head` : input.ref,
    refType: tag ? 'tag' : 'branch',
    sha,
    beforeSha,
    source,
    mergeRequestIid: mergeRequest?.iid ?? null,
    variables: pipelineVariables,
    status: 'created',
    stages: config.stages,
    jobIds: [],
    createdAt: now,
  };

  const stageIndex = (stage: string) => config.stages.indexOf(stage);
  for (const [index, definition] of definitions.entries()) {
    const { explicitDependencies, needsArtifacts, ...fields } = definition;
    const earlier = definitions
      .filter((other) => stageIndex(other.stage) < stageIndex(definition.stage))
      .map((other) => other.name);
    const job: Job = {
      ...fields,
      id: ctx.state.nextId('job'),
      pipelineId: pipeline.id,
      projectId: project.id,
      // Replaces the definition's: `key: files:` hashed at the pipeline's commit.
      cache: caches[index] ?? [],
      stageIndex: stageIndex(definition.stage),
      // `Ci::BuildDependencies#local`: earlier stages, or the needs that want artifacts, narrowed by `dependencies:`.
      dependencies: (needsArtifacts ?? earlier).filter(
        (name) => explicitDependencies === null || explicitDependencies.includes(name),
      ),
      ...newJobState(),
    };
    ctx.state.jobs.set(job.id, job);
    pipeline.jobIds.push(job.id);
  }

  if (mergeRequest) await writeMergeRequestRef(project, mergeRequest.iid, sha);
  setPipelineExtras(pipeline, { commit: await readCommit(project, sha), mergeRequest });
  ctx.state.pipelines.set(pipeline.id, pipeline);
  await writePipelineRef(ctx, pipeline);
  advancePipeline(ctx, pipeline.id);
  return pipeline;
}

async function requireConfig(project: Project, sha: string): Promise<string> {
  const text = await readFileAt(project, sha, '.gitlab-ci.yml');
  if (text === null) throw new CiConfigError('.gitlab-ci.yml', `is missing at ${sha.slice(0, 8)}`);
  return text;
}

function stagesUsed(jobs: JobSpecJson[]): string[] {
  const used = new Set(jobs.map((job) => job.stage ?? 'test'));
  const known = DEFAULT_STAGES.filter((stage) => used.has(stage));
  return [...known, ...[...used].filter((stage) => !DEFAULT_STAGES.includes(stage))];
}

function pipelineVariableSpecs(value: PipelineInputBase['variables']): JobVariableSpec[] {
  return configVariables(value, 'variables').map((v) => ({ ...v, public: false }));
}

/** The predefined variables `rules:` and `workflow:` can test at pipeline creation. */
function pipelineRuleVariables(
  project: Project,
  ref: string,
  sha: string,
  tag: boolean,
  source: Pipeline['source'],
  mergeRequest: MergeRequestInfo | null,
): Record<string, string> {
  const vars: Record<string, string> = {
    CI: 'true',
    GITLAB_CI: 'true',
    CI_PIPELINE_SOURCE: source,
    CI_COMMIT_SHA: sha,
    CI_COMMIT_REF_NAME: ref,
    CI_COMMIT_REF_SLUG: refSlug(ref),
    CI_DEFAULT_BRANCH: project.defaultBranch,
    CI_PROJECT_PATH: project.fullPath,
    CI_PROJECT_NAME: project.path,
    CI_PROJECT_ID: String(project.id),
  };
  if (tag) vars.CI_COMMIT_TAG = ref;
  else if (!mergeRequest) vars.CI_COMMIT_BRANCH = ref;
  if (mergeRequest) {
    vars.CI_MERGE_REQUEST_IID = String(mergeRequest.iid);
    vars.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME = mergeRequest.sourceBranch;
    vars.CI_MERGE_REQUEST_TARGET_BRANCH_NAME = mergeRequest.targetBranch;
    vars.CI_MERGE_REQUEST_EVENT_TYPE = 'detached';
  }
  return vars;
}
