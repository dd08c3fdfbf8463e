/**
 * What a pipeline's config may read from the repository at the pipeline's commit: files for
 * `include: local`, the tree for `rules: exists`, and the paths `rules: changes` and
 * `only: changes` compare (GitLab's `Ci::Pipeline#modified_paths` and `#modified_paths_since`).
 * Each answer is read once per pipeline creation.
 */
// Not the git/ barrel: git/push-pipeline.ts imports pipelines/, and the barrel would make a cycle.
import { mergeBase, readFileAt, resolveCommit } from '../git/repository.ts';
import { changedPaths, filesAt } from '../git/tree-paths.ts';
import type { Pipeline, Project } from '../model.ts';
import { CiConfigError } from './ci-config-error.ts';

const ZERO_SHA = '0'.repeat(40);

/** The repository as a pipeline's config sees it. */
export interface PipelineFiles {
  /** A file's text at the pipeline's commit, or null when there is none. */
  readFile(path: string): Promise<string | null>;
  /** Every file path at the pipeline's commit, sorted. */
  paths(): Promise<readonly string[]>;
  /**
   * The paths changed by what the pipeline builds, or null when GitLab has nothing to compare
   * (then every `changes` clause holds). With `compareTo`, the paths changed since the merge base
   * of that ref and the pipeline's commit.
   */
  modifiedPaths(compareTo?: string): Promise<readonly string[] | null>;
}

/** Where `modifiedPaths` compares from. */
export interface PipelineComparison {
  source: Pipeline['source'];
  tag: boolean;
  /** The branch head before the push; all zeros for a new branch. */
  beforeSha: string;
  /** A merge request's diff base (`CI_MERGE_REQUEST_DIFF_BASE_SHA`), or null. */
  mergeRequestDiffBase: string | null;
}

/** The files of `project` at `sha`, read lazily and remembered. */
export function projectFiles(
  project: Project,
  sha: string,
  comparison: PipelineComparison,
): PipelineFiles {
  let paths: Promise<string[]> | null = null;
  const diffs = new Map<string, Promise<string[]>>();
  const diff = (from: string) => {
    let paths = diffs.get(from);
    if (!paths) {
      paths = changedPaths(project, from, sha);
      diffs.set(from, paths);
    }
    return paths;
  };
  return {
    readFile: (path) => readFileAt(project, sha, path),
    paths: () => (paths ??= filesAt(project, sha)),
    async modifiedPaths(compareTo) {
      if (compareTo !== undefined) {
        const compareSha = await resolveCommit(project, compareTo);
        if (!compareSha) throw new CiConfigError('rules:changes:compare_to', 'is not a valid ref');
        return diff((await mergeBase(project, compareSha, sha)) || compareSha);
      }
      // `Ci::Pipeline#modified_paths`: a merge request's diff, or what a push to an existing
      // branch changed; nothing for a new branch, a tag or any other source.
      if (comparison.mergeRequestDiffBase) return diff(comparison.mergeRequestDiffBase);
      const branchUpdate =
        comparison.source === 'push' && !comparison.tag && comparison.beforeSha !== ZERO_SHA;
      return branchUpdate ? diff(comparison.beforeSha) : null;
    },
  };
}
