/**
 * The local repositories `npm start -- --project <dir>` serves (docs/workshop.md): each becomes
 * the project `demo/<folder name>`, next to where the sample lives, with its branches, tags and
 * history. A saved sandbox remembers which folder became which project, so the same command
 * resumes them and a new folder is added; nothing is imported twice, since participants push
 * to the emulator's copy, not to the folder.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  createProject,
  createPushPipeline,
  ProjectImportError,
  resolveCommit,
} from '../emulator/git/index.ts';
import { runGit } from '../emulator/git/run-git.ts';
import type { Emulator } from '../emulator/index.ts';
import type { Pipeline, Project } from '../emulator/model.ts';

/** The group every sandbox project lives in, the sample's. */
export const SANDBOX_NAMESPACE = 'demo';

/** A `--project` folder and the project it is (or becomes). */
export interface ProjectSource {
  /** Absolute folder. */
  dir: string;
  /** Project path segment: the folder name without a `.git` ending. */
  path: string;
}

/** What a saved sandbox knows about its imported folders. */
export interface SavedProjectSource {
  dir: string;
  projectId: number;
}

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/**
 * Check the `--project` folders and return those not imported yet, in order. Refuses, with a
 * `ProjectImportError` that says what to do, a folder that is missing or not the top of a git
 * repository, a name that cannot be a project path, and two folders that would be one project.
 */
export async function planProjects(
  dirs: readonly string[],
  saved: { sources: readonly SavedProjectSource[]; projectPaths: readonly string[] },
): Promise<ProjectSource[]> {
  const seen = new Map<string, string>();
  const plan: ProjectSource[] = [];
  for (const dir of dirs) {
    const path = basename(dir).replace(/\.git$/, '');
    if (!SEGMENT.test(path)) {
      throw new ProjectImportError(
        dir,
        `The folder name "${path}" of ${dir} cannot be a project path (letters, digits, "_", "-" and "." only): rename the folder.`,
      );
    }
    const key = path.toLowerCase();
    const other = seen.get(key);
    if (other !== undefined) {
      throw new ProjectImportError(
        dir,
        other === dir
          ? `${dir} is given twice with --project.`
          : `${other} and ${dir} would both be the project ${SANDBOX_NAMESPACE}/${path}: rename one of the folders.`,
      );
    }
    seen.set(key, dir);
    if (!(await stat(dir).catch(() => null))?.isDirectory()) {
      throw new ProjectImportError(dir, `${dir} (from --project) is not a folder.`);
    }
    if (saved.sources.some((source) => source.dir === dir)) continue;
    const fullPath = `${SANDBOX_NAMESPACE}/${path}`.toLowerCase();
    if (saved.projectPaths.some((taken) => taken.toLowerCase() === fullPath)) {
      throw new ProjectImportError(
        dir,
        `The saved sandbox already has a project ${SANDBOX_NAMESPACE}/${path}, not from ${dir}: rename the folder, or start over with \`npm start -- --fresh\`.`,
      );
    }
    const top = await runGit(['-C', dir, 'rev-parse', '--show-prefix'], { allowFailure: true });
    if (top.code !== 0 || top.stdout.trim() !== '') {
      throw new ProjectImportError(
        dir,
        `${dir} (from --project) is not a git repository (the top folder of one): run \`git init\` and commit there first.`,
      );
    }
    plan.push({ dir, path });
  }
  return plan;
}

/** Import one planned folder as a project. */
export function importProject(emulator: Emulator, source: ProjectSource): Promise<Project> {
  return createProject(emulator.context, {
    path: source.path,
    namespace: SANDBOX_NAMESPACE,
    importRepo: source.dir,
  });
}

/**
 * The first pipeline of an imported project: its default branch, as if it had just been pushed,
 * unless it has a pipeline already (a restart) or no `.gitlab-ci.yml` (none, as on GitLab).
 */
export async function firstPipeline(
  emulator: Emulator,
  project: Project,
): Promise<Pipeline | null> {
  const has = [...emulator.state.pipelines.values()].some((p) => p.projectId === project.id);
  if (has) return null;
  const head = await resolveCommit(project, `refs/heads/${project.defaultBranch}`);
  if (!head) return null;
  return createPushPipeline(emulator.context, project, {
    ref: `refs/heads/${project.defaultBranch}`,
    oldSha: '0'.repeat(40),
    newSha: head,
  });
}
