/**
 * Reading and writing the emulator's bare repositories: resolving refs, reading files and
 * commits, and the refs GitLab writes for pipelines and merge requests (docs/runner-protocol.md §4.3, §11).
 */
import type { EmulatorContext } from '../context.ts';
import type { Pipeline, Project } from '../model.ts';
import type { CommitInfo } from '../pipelines/pipeline-extras.ts';
import { runGit } from './run-git.ts';

/** The emulator's one committer, as GitLab's web IDE commits as the signed-in user. */
export function committerEnv(ctx: EmulatorContext): Record<string, string> {
  const date = `${Math.floor(ctx.clock.now() / 1000)} +0000`;
  return {
    GIT_AUTHOR_NAME: 'Administrator',
    GIT_AUTHOR_EMAIL: 'admin@example.com',
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_NAME: 'Administrator',
    GIT_COMMITTER_EMAIL: 'admin@example.com',
    GIT_COMMITTER_DATE: date,
  };
}

/** The branch names of the repository at `gitDir` (`refs/heads/`), empty when it has none. */
export async function branchNames(gitDir: string): Promise<string[]> {
  const { stdout, code } = await runGit(
    ['for-each-ref', '--format=%(refname:strip=2)', 'refs/heads/'],
    { gitDir, allowFailure: true },
  );
  return code === 0 ? stdout.split('\n').filter(Boolean) : [];
}

/** The commit a branch, tag or full ref points to, or null when it does not exist. */
export async function resolveCommit(project: Project, ref: string): Promise<string | null> {
  const candidates = ref.startsWith('refs/') ? [ref] : [`refs/heads/${ref}`, `refs/tags/${ref}`];
  if (/^[0-9a-f]{40}$/.test(ref)) candidates.unshift(ref);
  for (const candidate of candidates) {
    const { stdout, code } = await runGit(
      ['rev-parse', '--verify', '-q', `${candidate}^{commit}`],
      {
        gitDir: project.gitDir,
        allowFailure: true,
      },
    );
    if (code === 0) return stdout.trim();
  }
  return null;
}

/** Whether `ref` names a tag (rather than a branch) in the project. */
export async function isTag(project: Project, ref: string): Promise<boolean> {
  const { code } = await runGit(['show-ref', '--verify', '-q', `refs/tags/${ref}`], {
    gitDir: project.gitDir,
    allowFailure: true,
  });
  return code === 0;
}

/** A file's text at a commit, or null when the commit has no such file. */
export async function readFileAt(
  project: Project,
  sha: string,
  path: string,
): Promise<string | null> {
  const { stdout, code } = await runGit(['cat-file', 'blob', `${sha}:${path}`], {
    gitDir: project.gitDir,
    allowFailure: true,
  });
  return code === 0 ? stdout : null;
}

/** The first parent of a commit, or the all-zero sha GitLab uses when there is none. */
export async function parentOf(project: Project, sha: string): Promise<string> {
  const { stdout, code } = await runGit(['rev-parse', '--verify', '-q', `${sha}^1`], {
    gitDir: project.gitDir,
    allowFailure: true,
  });
  return code === 0 ? stdout.trim() : '0'.repeat(40);
}

/** Message, author and time of a commit, for `CI_COMMIT_*`. */
export async function readCommit(project: Project, sha: string): Promise<CommitInfo> {
  const { stdout } = await runGit(['log', '-1', '--format=%an%x00%ae%x00%aI%x00%B', sha], {
    gitDir: project.gitDir,
  });
  const [authorName = '', authorEmail = '', timestamp = '', message = ''] = stdout.split('\0');
  // `%B` ends with one extra newline from `log`; GitLab keeps the message's own newline.
  return { authorName, authorEmail, timestamp, message: message.replace(/\n$/, '') };
}

/** The merge base of two commits (`CI_MERGE_REQUEST_DIFF_BASE_SHA`), or '' when unrelated. */
export async function mergeBase(project: Project, a: string, b: string): Promise<string> {
  const { stdout, code } = await runGit(['merge-base', a, b], {
    gitDir: project.gitDir,
    allowFailure: true,
  });
  return code === 0 ? stdout.trim() : '';
}

/** Point `ref` at `sha` in the project's repository. */
export async function updateRef(project: Project, ref: string, sha: string): Promise<void> {
  await runGit(['update-ref', ref, sha], { gitDir: project.gitDir });
}

/**
 * GitLab's persistent pipeline ref `refs/pipelines/<id>` (docs/runner-protocol.md §4.3): it keeps the pipeline's commit
 * fetchable even after its branch moves on; the first refspec of every job fetches it.
 */
export async function writePipelineRef(ctx: EmulatorContext, pipeline: Pipeline): Promise<void> {
  const project = ctx.state.projects.get(pipeline.projectId);
  if (!project) throw new Error(`pipeline ${pipeline.id} has no project`);
  await updateRef(project, `refs/pipelines/${pipeline.id}`, pipeline.sha);
}

/** `refs/merge-requests/<iid>/head`, which GitLab maintains for every merge request. */
export async function writeMergeRequestRef(
  project: Project,
  iid: number,
  sha: string,
): Promise<void> {
  await updateRef(project, `refs/merge-requests/${iid}/head`, sha);
}
