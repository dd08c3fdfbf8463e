/**
 * The pipeline a pushed ref gets, as GitLab's `Git::BranchPushService` and
 * `Git::TagPushService` create one through `Ci::CreatePipelineService` with source `push`:
 * - deletions, refs outside `refs/heads/` and `refs/tags/`, and commits without a
 *   `.gitlab-ci.yml` get none;
 * - `[skip ci]` or `[ci skip]` (any case, `-` or `_` for the space) in the commit message, or
 *   `git push -o ci.skip`, get a `skipped` pipeline with no jobs (`Chain::Skip`);
 * - `git push -o ci.variable="KEY=value"` (repeatable) become pipeline variables;
 * - a config GitLab would reject gets a `failed` pipeline carrying GitLab's message.
 */
import { hasErrorCode } from '../../src/errors/index.ts';
import type { EmulatorContext } from '../context.ts';
import type { Pipeline, Project } from '../model.ts';
import { createPipeline } from '../pipelines/create-pipeline.ts';
import { createPipelineWithoutJobs } from '../pipelines/failed-pipeline.ts';
import type { RefUpdate } from './push-record.ts';
import { readCommit, readFileAt, resolveCommit } from './repository.ts';

const NO_SHA = /^0+$/;
const SKIP_PATTERN = /\[(ci[ _-]skip|skip[ _-]ci)\]/i;
const SKIP_OPTION = /^ci\.skip(=.*)?$/;
const VARIABLE_OPTION = /^ci\.variable=([^=]+)=(.*)$/s;

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
