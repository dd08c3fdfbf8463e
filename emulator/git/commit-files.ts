/**
 * Committing to a hosted project from a test, as a push would: new file contents on top of a
 * branch's head, without a working tree. Tests of fetch-after-push use it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { EmulatorContext } from '../context.ts';
import { committerEnv, resolveCommit } from './repository.ts';
import { runGit } from './run-git.ts';

/** What `commitFiles` writes. */
export interface CommitFilesInput {
  /** Branch to commit on; created from `startFrom` (default: the default branch) when missing. */
  branch: string;
  /** Path → new content. */
  files: Record<string, string | Uint8Array>;
  /** Paths to delete. Default none. */
  delete?: string[];
  message: string;
  /** Where a new branch starts. Default: the project's default branch. */
  startFrom?: string;
}

/** Commit files to a project's branch; returns the new commit's sha. */
export async function commitFiles(
  ctx: EmulatorContext,
  projectId: number,
  input: CommitFilesInput,
): Promise<string> {
  const project = ctx.state.projects.get(projectId);
  if (!project) throw new Error(`no project ${projectId}`);
  const gitDir = project.gitDir;
  const branchRef = `refs/heads/${input.branch}`;
  const current = await resolveCommit(project, branchRef);
  const parent =
    current ?? (await resolveCommit(project, input.startFrom ?? project.defaultBranch));

  const scratch = await mkdtemp(join(ctx.options.dataDir, 'index-'));
  try {
    const env = { ...committerEnv(ctx), GIT_INDEX_FILE: join(scratch, 'index') };
    if (parent) await runGit(['read-tree', parent], { gitDir, env });
    for (const [path, content] of Object.entries(input.files)) {
      const blob = (
        await runGit(['hash-object', '-w', '--stdin'], { gitDir, env, input: content })
      ).stdout.trim();
      await runGit(['update-index', '--add', '--cacheinfo', `100644,${blob},${path}`], {
        gitDir,
        env,
      });
    }
    for (const path of input.delete ?? []) {
      await runGit(['update-index', '--force-remove', path], { gitDir, env });
    }
    const tree = (await runGit(['write-tree'], { gitDir, env })).stdout.trim();
    const parentArgs = parent ? ['-p', parent] : [];
    const commit = (
      await runGit(['commit-tree', tree, ...parentArgs, '-m', input.message], { gitDir, env })
    ).stdout.trim();
    // Compare-and-swap, as a push would: a concurrent update makes this fail loudly.
    await runGit(['update-ref', branchRef, commit, current ?? ''], { gitDir });
    return commit;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
