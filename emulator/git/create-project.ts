/**
 * Hosting a project: a bare repository under the emulator's data folder, filled from a folder
 * (one commit on the default branch) or copied from an existing bare repository, and the
 * project registered in the state so `handle-git.ts` serves it.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { EmulatorContext } from '../context.ts';
import type { JobVariableSpec, Project } from '../model.ts';
import { committerEnv } from './repository.ts';
import { runGit } from './run-git.ts';

/** What `createProject` needs. */
export interface CreateProjectInput {
  /** Path segment, e.g. `demo`; letters, digits, `.`, `_` and `-`. */
  path: string;
  /** Namespace (group path), e.g. `group` or `group/sub`. Default `root` (the admin's namespace). */
  namespace?: string;
  /** Display name. Default: `path`. */
  name?: string;
  /** Folder whose files become the first commit of the default branch. */
  sourceDir?: string;
  /** Existing bare repository to host (all its refs are copied). */
  bareRepo?: string;
  /** Default branch. Default `main`, or the bare repository's HEAD. */
  defaultBranch?: string;
  /** Project CI/CD variables added to every job. Default none. */
  variables?: JobVariableSpec[];
  /** `ci_default_git_depth`. Default 20, GitLab's default for new projects. */
  defaultGitDepth?: number;
}

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Create a hosted project and its bare repository. */
export async function createProject(
  ctx: EmulatorContext,
  input: CreateProjectInput,
): Promise<Project> {
  const namespace = input.namespace ?? 'root';
  for (const segment of [...namespace.split('/'), input.path]) {
    if (!SEGMENT.test(segment) || segment.endsWith('.git')) {
      throw new Error(`invalid project path segment "${segment}"`);
    }
  }
  const fullPath = `${namespace}/${input.path}`;
  if (ctx.state.projectByPath(fullPath)) throw new Error(`project ${fullPath} already exists`);
  const gitDir = join(ctx.options.dataDir, 'repositories', `${fullPath}.git`);
  await mkdir(join(gitDir, '..'), { recursive: true });

  let defaultBranch = input.defaultBranch ?? 'main';
  if (input.bareRepo) {
    await runGit(['clone', '--quiet', '--mirror', input.bareRepo, gitDir]);
    await runGit(['remote', 'remove', 'origin'], { gitDir });
    if (!input.defaultBranch) {
      const head = await runGit(['symbolic-ref', '--short', 'HEAD'], { gitDir });
      defaultBranch = head.stdout.trim();
    } else {
      await runGit(['symbolic-ref', 'HEAD', `refs/heads/${defaultBranch}`], { gitDir });
    }
  } else {
    await runGit(['init', '--quiet', '--bare', `--initial-branch=${defaultBranch}`, gitDir]);
    if (input.sourceDir) await commitFolder(ctx, gitDir, input.sourceDir, defaultBranch);
  }

  const project: Project = {
    id: ctx.state.nextId('project'),
    path: input.path,
    fullPath,
    name: input.name ?? input.path,
    namespaceId: namespaceId(ctx, namespace),
    gitDir,
    defaultBranch,
    variables: input.variables ?? [],
    defaultGitDepth: input.defaultGitDepth ?? 20,
  };
  ctx.state.projects.set(project.id, project);
  return project;
}

/** Same namespace, same id, as GitLab's namespaces table would give. */
function namespaceId(ctx: EmulatorContext, namespace: string): number {
  for (const project of ctx.state.projects.values()) {
    if (project.fullPath.slice(0, project.fullPath.lastIndexOf('/')) === namespace) {
      return project.namespaceId;
    }
  }
  return ctx.state.nextId('namespace');
}

/** Commit every file of `sourceDir` (its own `.git`, if any, is ignored by git) to `branch`. */
async function commitFolder(
  ctx: EmulatorContext,
  gitDir: string,
  sourceDir: string,
  branch: string,
): Promise<void> {
  const scratch = await mkdtemp(join(ctx.options.dataDir, 'index-'));
  try {
    const env = { ...committerEnv(ctx), GIT_INDEX_FILE: join(scratch, 'index') };
    await runGit([`--work-tree=${sourceDir}`, 'add', '--all', '--force', '.'], { gitDir, env });
    const tree = (await runGit(['write-tree'], { gitDir, env })).stdout.trim();
    const commit = (
      await runGit(['commit-tree', tree, '-m', 'Initial commit'], { gitDir, env })
    ).stdout.trim();
    await runGit(['update-ref', `refs/heads/${branch}`, commit], { gitDir });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
