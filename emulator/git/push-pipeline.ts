/**
 * The pipeline a pushed ref gets, as GitLab's `Git::BranchPushService` and
 * `Git::TagPushService` create one through `Ci::CreatePipelineService` with source `push`:
 * - deletions, refs outside `refs/heads/` and `refs/tags/`, and commits without a
 *   `.gitlab-ci.yml` get none;
 * - `[skip ci]` or `[ci skip]` (any case, `-` or `_` for the space) in the commit message, or
 *   `git push -o ci.skip`, get a `skipped` pipeline with no jobs (`Chain::Skip`);
 * - `git push -o ci.variable="KEY=value"` (repeatable) become pipeline variables;
 * - a config GitLab would reject gets a `failed` pipeline carrying GitLab's message;
 * - of one push, only the first four updated refs get pipelines (`createPushPipelines`).
 */
import { hasErrorCode } from '../../src/errors/index.ts';
import type { EmulatorContext } from '../context.ts';
import type { Pipeline, Project } from '../model.ts';
import { createPipeline } from '../pipelines/create-pipeline.ts';
import { createPipelineWithoutJobs } from '../pipelines/failed-pipeline.ts';
import type { PushRecord, RefUpdate } from './push-record.ts';
import { readCommit, readFileAt, resolveCommit } from './repository.ts';

const NO_SHA = /^0+$/;
const SKIP_PATTERN = /\[(ci[ _-]skip|skip[ _-]ci)\]/i;
const SKIP_OPTION = /^ci\.skip(=.*)?$/;
const VARIABLE_OPTION = /^ci\.variable=([^=]+)=(.*)$/s;

/**
 * GitLab's `Git::ProcessRefChangesService::PIPELINE_PROCESS_LIMIT`: a ref change gets a pipeline
 * only when its index among the push's changes (every updated ref in the order git reports
 * them, deletions and refs outside branches and tags included) is below 4, unless the
 * `git_push_create_all_pipelines` feature flag (off by default) is on.
 */
export const PIPELINE_PROCESS_LIMIT = 4;

/**
 * Create the pipelines of one push, in git's order, within `PIPELINE_PROCESS_LIMIT`. A ref
 * whose pipeline cannot be made (its commit unreadable) is logged and does not stop the others.
 */
export async function createPushPipelines(
  ctx: EmulatorContext,
  project: Project,
  push: PushRecord,
): Promise<void> {
  for (const update of push.updates.slice(0, PIPELINE_PROCESS_LIMIT)) {
    try {
      await createPushPipeline(ctx, project, update, push.options);
    } catch (error) {
      // Never a token here: git's and the pipeline creator's messages name refs and shas.
      console.error(
        `No pipeline for ${update.ref} of ${project.fullPath}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}

/** Create the pipeline for one ref a push updated; null when GitLab would make none. */
export async function createPushPipeline(
  ctx: EmulatorContext,
  project: Project,
  update: RefUpdate,
  pushOptions: readonly string[] = [],
): Promise<Pipeline | null> {
  if (NO_SHA.test(update.newSha)) return null;
  const branch = /^refs\/heads\/(.+)$/.exec(update.ref)?.[1];
  const tagName = /^refs\/tags\/(.+)$/.exec(update.ref)?.[1];
  const ref = branch ?? tagName;
  if (!ref) return null;
  // An annotated tag points at a tag object; the pipeline builds the commit under it.
  const sha = await resolveCommit(project, update.newSha);
  if (!sha || (await readFileAt(project, sha, '.gitlab-ci.yml')) === null) return null;

  const input = { ref, sha, beforeSha: update.oldSha, tag: tagName !== undefined };
  const base = { ...input, source: 'push' as const };
  const { message } = await readCommit(project, sha);
  if (SKIP_PATTERN.test(message) || pushOptions.some((option) => SKIP_OPTION.test(option))) {
    return createPipelineWithoutJobs(ctx, project.id, base, { status: 'skipped' });
  }
  const variables: Record<string, string> = {};
  for (const option of pushOptions) {
    const match = VARIABLE_OPTION.exec(option);
    if (match?.[1]) variables[match[1]] = match[2] ?? '';
  }
  try {
    return await createPipeline(ctx, project.id, { ...base, variables });
  } catch (error) {
    if (!hasErrorCode(error, 'CiConfigError')) throw error;
    return createPipelineWithoutJobs(ctx, project.id, base, {
      status: 'failed',
      configError: error.message,
    });
  }
}
