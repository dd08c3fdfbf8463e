/**
 * Which files of the project directory one `artifacts[]` entry takes, and the lines the Go
 * runner's helper prints while finding them (its `fileArchiver`). It reads files only through
 * the executor's `Workspace`, and never returns a path outside the project directory.
 */
import type { Workspace } from '../executors/index.ts';
import type { JobArtifact } from '../gitlab/index.ts';
import { cleanPath } from './clean-path.ts';
import { hasErrorCode } from '../errors/index.ts';
import { matchGlob } from './glob.ts';
import { helperLogLine } from './helper-log-line.ts';
import { projectRelative } from './project-path.ts';
import { splitPattern } from './split-pattern.ts';

/** A file to archive: `path` relative to the project directory, `/`-separated. */
export interface CollectedFile {
  path: string;
  size: number;
}

export interface CollectArtifactFilesOptions {
  /** Where the job ran; only `listFiles` and `readFile` are used. */
  workspace: Pick<Workspace, 'listFiles' | 'readFile'>;
  /** Absolute project directory inside the sandbox, e.g. `/builds/group/project`. */
  projectDir: string;
  /** The payload entry; `paths`, `exclude` and `untracked` are read. */
  artifact: Pick<JobArtifact, 'paths' | 'exclude' | 'untracked'>;
  /**
   * Files git does not track, relative to the project directory (`git ls-files -o`), used when
   * `artifact.untracked` is set. @default [] (then "untracked: no files" is printed)
   */
  untrackedFiles?: string[];
  /** Expands `$VAR` in paths and exclude patterns with the job's variables (docs/runner-protocol.md §10.3). */
  expand: (value: string) => string;
  /**
   * Called as the chosen files are read for their sizes: `(0, total)` first, then after each
   * file. Reading is the slow part of collecting; globbing the listing is not.
   */
  onFile?: (done: number, total: number) => void;
}

export interface CollectedArtifactFiles {
  /** Files only (directories are implied by paths), sorted, each once. */
  files: CollectedFile[];
  /** Helper log lines for the trace, in order, each ending in `\n` (see `helperLogLine`). */
  lines: string[];
}

/**
 * Collect the files of one artifact entry as the Go runner does: each path is cleaned,
 * refused with a warning when it leaves the project, globbed with doublestar semantics, and
 * every match is taken whole (a directory with everything below it). Each path prints
 * `<path>: found N matching artifact files and directories` (directories counted, as in Go) or
 * the "no matching files" warning; then `untracked: …` and `<rule>: excluded N files`.
 */
export async function collectArtifactFiles(
  options: CollectArtifactFilesOptions,
): Promise<CollectedArtifactFiles> {
  const projectDir = cleanPath(options.projectDir);
  const { artifact, expand, workspace } = options;
  const lines: string[] = [];
  const tree = await projectTree(workspace, projectDir);

  const excludes: { rule: string; pattern: string | null }[] = artifact.exclude.map((raw) => {
    const rule = expand(raw);
    const pattern = projectRelative(rule, projectDir);
    if (pattern === null) {
      lines.push(
        helperLogLine(
          'warning',
          `isExcluded: artifact path is not a subpath of project directory: ${rule}`,
        ),
      );
    }
    return { rule, pattern };
  });
  const excluded = new Map<string, number>();
  const chosen = new Set<string>();

  /** The Go runner's `process`: exclusion first, then add if it exists. */
  const process = (path: string): boolean => {
    for (const { rule, pattern } of excludes) {
      // A refused exclude pattern stops the exclusion check for this path, as in Go.
      if (pattern === null) break;
      if (safeMatch(pattern, path)) {
        excluded.set(rule, (excluded.get(rule) ?? 0) + 1);
        return false;
      }
    }
    if (tree.files.has(path)) {
      chosen.add(path);
      return true;
    }
    return path === '.' || tree.dirs.has(path);
  };

  for (const raw of artifact.paths) {
    const expanded = expand(raw);
    const { base, pattern } = splitPattern(expanded);
    const relativeBase = projectRelative(base, projectDir);
    if (relativeBase === null) {
      lines.push(
        helperLogLine(
          'warning',
          `processPath: artifact path is not a subpath of project directory: ${base}`,
        ),
      );
      continue;
    }
    const path = joinPattern(relativeBase, pattern);
    let matches: string[];
    try {
      matches = globTree(tree, path);
    } catch (error) {
      if (!hasErrorCode(error, 'GlobPatternError')) throw error;
      lines.push(helperLogLine('warning', `${path}: syntax error in pattern`));
      continue;
    }
    let found = 0;
    for (const match of matches) {
      for (const walked of walk(tree, match)) if (process(walked)) found++;
    }
    lines.push(
      found === 0
        ? helperLogLine(
            'warning',
            `${path}: no matching files. Ensure that the artifact path is relative to the working directory (${projectDir})`,
          )
        : helperLogLine('info', `${path}: found ${found} matching artifact files and directories`),
    );
  }

  if (artifact.untracked) {
    let found = 0;
    for (const raw of options.untrackedFiles ?? []) {
      const path = projectRelative(raw, projectDir);
      if (path !== null && path !== '.' && process(path)) found++;
    }
    lines.push(
      found === 0
        ? helperLogLine('warning', 'untracked: no files')
        : helperLogLine('info', `untracked: found ${found} files`),
    );
  }

  for (const [rule, count] of excluded) {
    lines.push(helperLogLine('info', `${rule}: excluded ${count} files`));
  }

  const files: CollectedFile[] = [];
  const paths = [...chosen].sort();
  options.onFile?.(0, paths.length);
  for (const path of paths) {
    const data = await workspace.readFile(`${projectDir}/${path}`);
    files.push({ path, size: data.byteLength });
    options.onFile?.(files.length, paths.length);
  }
  return { files, lines };
}

interface ProjectTree {
  files: Set<string>;
  dirs: Set<string>;
  /** Files and directories, sorted, relative to the project directory. */
  entries: string[];
}

async function projectTree(
  workspace: Pick<Workspace, 'listFiles'>,
  projectDir: string,
): Promise<ProjectTree> {
  const files = new Set<string>();
  const dirs = new Set<string>();
  for (const absolute of await workspace.listFiles(projectDir)) {
    const path = projectRelative(absolute, projectDir);
    if (path === null || path === '.') continue;
    files.add(path);
    for (let slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
      dirs.add(path.slice(0, slash));
    }
  }
  return { files, dirs, entries: [...files, ...dirs].sort() };
}

/** Go's `filepath.Join(base, pattern)`, which also cleans. */
function joinPattern(base: string, pattern: string): string {
  if (pattern === '') return base;
  return cleanPath(base === '.' ? pattern : `${base}/${pattern}`);
}

/** doublestar's `Glob` over the listed tree: files and directories that match. */
function globTree(tree: ProjectTree, path: string): string[] {
  if (path === '.') return ['.'];
  if (!/[*?[{\\]/.test(path)) return tree.files.has(path) || tree.dirs.has(path) ? [path] : [];
  // Validate once so a bad pattern is reported even when the project is empty.
  matchGlob(path, '');
  return tree.entries.filter((entry) => matchGlob(path, entry));
}

/** `filepath.Walk`: the match itself, then everything below it in lexical order. */
function walk(tree: ProjectTree, match: string): string[] {
  if (match === '.') return ['.', ...tree.entries];
  if (!tree.dirs.has(match)) return [match];
  const prefix = `${match}/`;
  return [match, ...tree.entries.filter((entry) => entry.startsWith(prefix))];
}

function safeMatch(pattern: string, path: string): boolean {
  try {
    return matchGlob(pattern, path);
  } catch {
    // doublestar.Match errors mean "not excluded" in the Go runner.
    return false;
  }
}
