/**
 * The paths `rules: exists` and `rules: changes` look at: every file of a commit's tree
 * (GitLab's `Repository#ls_files`), and the paths a diff between two commits touches
 * (GitLab's `diff_stats(...).paths`: a rename counts as its old and its new path).
 */
import type { Project } from '../model.ts';
import { runGit } from './run-git.ts';

/** Every file path of `sha`'s tree, recursively, sorted as git sorts them. */
export async function filesAt(project: Project, sha: string): Promise<string[]> {
  const { stdout } = await runGit(['ls-tree', '-r', '-z', '--name-only', '--full-tree', sha], {
    gitDir: project.gitDir,
  });
  return splitNul(stdout);
}

/** The paths added, changed, deleted or renamed (old and new) from `from` to `to`. */
export async function changedPaths(project: Project, from: string, to: string): Promise<string[]> {
  const { stdout } = await runGit(['diff', '--name-only', '-z', '--no-renames', from, to, '--'], {
    gitDir: project.gitDir,
  });
  return splitNul(stdout);
}

function splitNul(text: string): string[] {
  return text.split('\0').filter((path) => path !== '');
}
