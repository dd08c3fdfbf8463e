/**
 * Pipelines GitLab records without jobs when a push does not get to run one
 * (`Gitlab::Ci::Pipeline::Chain`, with `save_incompleted` as for pushes):
 * - `failed` with the config error (`yaml_errors`, failure reason `config_error`), which the
 *   pipeline page shows in place of stages, so the pusher sees why nothing ran;
 * - `skipped` when the commit message says `[skip ci]` or the push said `-o ci.skip`
 *   (`Chain::Skip`).
 * Neither keeps a `refs/pipelines/<id>`: GitLab deletes that ref once a pipeline is completed.
 */
import type { EmulatorContext } from '../context.ts';
import { readCommit } from '../git/repository.ts';
import type { Pipeline } from '../model.ts';
import { setPipelineExtras } from './pipeline-extras.ts';

/** The commit and ref a pipeline without jobs is for. */
export interface PipelineWithoutJobsInput {
  ref: string;
  sha: string;
  beforeSha: string;
  tag: boolean;
  source: Pipeline['source'];
}

/** Why it has no jobs: a config error (GitLab's message), or a skip. */
export type NoJobsOutcome = { status: 'failed'; configError: string } | { status: 'skipped' };

/** Record a pipeline with no jobs for `projectId`. */
export async function createPipelineWithoutJobs(
  ctx: EmulatorContext,
  projectId: number,
  input: PipelineWithoutJobsInput,
  outcome: NoJobsOutcome,
): Promise<Pipeline> {
  const project = ctx.state.projects.get(projectId);
  if (!project) throw new Error(`no project ${projectId}`);
  const pipeline: Pipeline = {
    id: ctx.state.nextId('pipeline'),
    iid: ctx.state.nextId(`pipeline-iid:${project.id}`),
    projectId: project.id,
    ref: input.ref,
    refType: input.tag ? 'tag' : 'branch',
    sha: input.sha,
    beforeSha: input.beforeSha,
    source: input.source,
    mergeRequestIid: null,
    variables: [],
    status: outcome.status,
    stages: [],
    jobIds: [],
    createdAt: ctx.clock.now(),
    ...(outcome.status === 'failed' ? { configError: outcome.configError } : {}),
  };
  setPipelineExtras(pipeline, { commit: await readCommit(project, input.sha), mergeRequest: null });
  ctx.state.pipelines.set(pipeline.id, pipeline);
  ctx.state.changed();
  return pipeline;
}
