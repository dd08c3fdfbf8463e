/**
 * Hosting a project: a bare repository under the emulator's data folder, filled from a folder
 * (one commit on the default branch), copied from an existing bare repository, or imported from
 * a local repository (its branches and tags with their history, as GitLab's "import by URL"
 * does), and the project registered in the state so `handle-git.ts` serves it.
 */
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TabrunnerError } from '../../src/errors/index.ts';
import type { EmulatorContext } from '../context.ts';
import type { JobVariableSpec, Project } from '../model.ts';
import { branchNames, committerEnv } from './repository.ts';
import { runGit } from './run-git.ts';

/** What `createProject` needs. */
export interface CreateProjectInput {
  /** Path segment, e.g. `demo`; letters, digits, `.`, `_` and `-`. */
  path: string;
  /** Namespace (group path), e.g. `group` or `group/sub`. Default `root` (the admin's namespace). */
  namespace?: string;
  /** Display name. Default: `path`. */
  name?: string;
  /**
   * Folder whose files become the first commit of the default branch; a relative path is
   * resolved against the emulator process's working directory.
   */
  sourceDir?: string;
  /** Existing bare repository to host (all its refs are copied). */
  bareRepo?: string;
  /**
   * A repository (working or bare) whose branches and tags are imported; its uncommitted
   * changes and remote-tracking refs are not. The default branch is its current branch.
   */
  importRepo?: string;
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
  const sourceDir = input.sourceDir === undefined ? undefined : await sourceFolder(input.sourceDir);
  const gitDir = join(ctx.options.dataDir, 'repositories', `${fullPath}.git`);
  await mkdir(join(gitDir, '..'), { recursive: true });

  let defaultBranch = input.defaultBranch ?? 'main';
  if (input.importRepo) {
    defaultBranch = await importRepository(input.importRepo, gitDir, input.defaultBranch);
  } else if (input.bareRepo) {
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
    if (sourceDir) await commitFolder(ctx, gitDir, sourceDir, defaultBranch);
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

/** A local folder or repository could not be imported; the message says why and what to do. */
export class ProjectImportError extends TabrunnerError<{ source: string }> {
  constructor(source: string, message: string) {
    super('ProjectImportError', message, { source });
  }
}

/** `given` resolved against the working directory, checked before anything is created. */
async function sourceFolder(given: string): Promise<string> {
  const folder = resolve(given);
  const found = await stat(folder).catch(() => null);
  if (!found?.isDirectory()) {
    throw new ProjectImportError(
      given,
      `${given} is not a folder (looked for ${folder}; a relative path is resolved against the emulator's working directory): name the folder whose files make the project's first commit.`,
    );
  }
  return folder;
}

/** Clone `source`'s branches and tags into `gitDir`; returns the default branch. */
async function importRepository(
  source: string,
  gitDir: string,
  wanted: string | undefined,
): Promise<string> {
  const probe = await runGit(['-C', source, 'rev-parse', '--show-prefix'], {
    allowFailure: true,
  });
  // A folder inside another repository is found by git too; only its top folder is a project.
  if (probe.code !== 0 || probe.stdout.trim() !== '') {
    throw new ProjectImportError(
      source,
      `${source} is not a git repository (the top folder of one): run \`git init\` and commit there first.`,
    );
  }
  // `--bare` takes `refs/heads/*` and tags, not the source's remote-tracking refs or stash.
  await runGit(['clone', '--quiet', '--bare', source, gitDir]);
  await runGit(['remote', 'remove', 'origin'], { gitDir, allowFailure: true });
  const branches = await branchNames(gitDir);
  if (branches.length === 0) {
    await rm(gitDir, { recursive: true, force: true });
    throw new ProjectImportError(source, `${source} has no commits yet: commit something first.`);
  }
  const head = await runGit(['symbolic-ref', '--short', 'HEAD'], { gitDir, allowFailure: true });
  const current = head.code === 0 ? head.stdout.trim() : '';
  // A detached HEAD in the source names no branch: take the usual default names, else the first.
  const branch =
    [wanted, current, 'main', 'master'].find((name) => name && branches.includes(name)) ??
    branches[0] ??
    'main';
  await runGit(['symbolic-ref', 'HEAD', `refs/heads/${branch}`], { gitDir });
  return branch;
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
