/**
 * Facts GitLab knows about a pipeline that the shared model does not hold: the commit's message
 * and author, and the merge request a pipeline runs for. The pipeline creator records them; the
 * payload builder reads them synchronously at pickup (CI_COMMIT_*, CI_MERGE_REQUEST_*, docs/runner-protocol.md §4.5).
 */
import type { Pipeline } from '../model.ts';

/** The pipeline's commit as `CI_COMMIT_*` variables describe it. */
export interface CommitInfo {
  /** Full message, with its trailing newline as git stores it. */
  message: string;
  authorName: string;
  authorEmail: string;
  /** ISO 8601 with offset, e.g. `2024-05-05T12:19:53+02:00`. */
  timestamp: string;
}

/** A merge request a `merge_request_event` pipeline belongs to. */
export interface MergeRequestInfo {
  iid: number;
  sourceBranch: string;
  targetBranch: string;
  title: string;
  /** Head of the source branch when the pipeline was created. */
  sourceSha: string;
  /** Merge base with the target branch (`CI_MERGE_REQUEST_DIFF_BASE_SHA`). */
  diffBaseSha: string;
}

export interface PipelineExtras {
  commit: CommitInfo | null;
  mergeRequest: MergeRequestInfo | null;
}

const extras = new WeakMap<Pipeline, PipelineExtras>();

/** Remember commit and merge-request facts for a pipeline. */
export function setPipelineExtras(pipeline: Pipeline, value: PipelineExtras): void {
  extras.set(pipeline, value);
}

/** Commit and merge-request facts of a pipeline; empty for pipelines made without them. */
export function pipelineExtras(pipeline: Pipeline): PipelineExtras {
  return extras.get(pipeline) ?? { commit: null, mergeRequest: null };
}
