/**
 * One job's sandbox for the shell executor: an in-memory file system holding the checkout at the
 * project directory, and the stage shell that runs the job's stages on it. Disposing drops
 * both; nothing outlives the job.
 */
import { InMemoryFs } from 'just-bash';
import type { IFileSystem } from 'just-bash';
import type { Clock } from '../../platform/clock.ts';
import type {
  FileTree,
  PrepareOptions,
  Stage,
  StageHooks,
  StageResult,
  TreeFile,
  Workspace,
} from '../port.ts';
import { normalizePath as normalize } from '../bash/posix-path.ts';
import { StageShell } from '../bash/stage-shell.ts';
import { directoryInTheWayError, notFoundError, workspaceGoneError } from './shell-errors.ts';
import { shellHint } from './shell-hints.ts';

const HOME = '/home/user';
const TYPE_MASK = 0o170000;
const SYMLINK = 0o120000;
const decoder = new TextDecoder();

export class ShellWorkspace implements Workspace {
  /** Memory does not go away under a job. */
  readonly lost = null;
  readonly #fs: IFileSystem;
  readonly #shell: StageShell;
  readonly #projectDir: string;
  readonly #onDispose: () => void;
  #gone = false;

  private constructor(
    fs: IFileSystem,
    shell: StageShell,
    projectDir: string,
    onDispose: () => void,
  ) {
    this.#fs = fs;
    this.#shell = shell;
    this.#projectDir = projectDir;
    this.#onDispose = onDispose;
  }

  /** Places the tree, then builds the shell on top of it. */
  static async create(
    tree: FileTree,
    options: PrepareOptions,
    clock: Clock | undefined,
    onDispose: () => void,
  ): Promise<ShellWorkspace> {
    const fs = new InMemoryFs();
    const root = normalize(options.projectDir);
    await fs.mkdir(root, { recursive: true });
    await fs.mkdir(HOME, { recursive: true });
    await StageShell.install(fs);
    for (const dir of tree.directories ?? []) await fs.mkdir(join(root, dir), { recursive: true });
    for (const file of tree.files) await placeFile(fs, join(root, file.path), file.data, file.mode);
    const shell = new StageShell({
      fs,
      projectDir: root,
      // GitLab's runner always runs a job with a home directory.
      env: { HOME, ...options.env },
      ...(clock ? { sleep: (ms: number) => clock.sleep(ms) } : {}),
      missingCommandHint: shellHint,
    });
    return new ShellWorkspace(fs, shell, root, onDispose);
  }

  async runStage(stage: Stage, hooks: StageHooks, signal: AbortSignal): Promise<StageResult> {
    this.#assertAlive();
    return this.#shell.run(stage, hooks, signal);
  }

  async writeFile(path: string, data: Uint8Array): Promise<void> {
    this.#assertAlive();
    const target = this.#resolve(path);
    await this.#fs.mkdir(parentOf(target), { recursive: true });
    // just-bash's writeFile replaces a symlink rather than following it, as the port asks.
    await this.#fs.writeFile(target, data);
  }

  async writeFiles(dir: string, files: readonly TreeFile[]): Promise<void> {
    this.#assertAlive();
    const root = this.#resolve(dir);
    // One mkdir per directory, not per file: a restored node_modules has ~10 files a directory.
    const made = new Set<string>();
    for (const file of files) {
      const target = join(root, file.path);
      const parent = parentOf(target);
      if (!made.has(parent)) {
        await this.#fs.mkdir(parent, { recursive: true });
        made.add(parent);
      }
      // just-bash would write a file over a directory and leave the directory's files listed.
      const there = await this.#fs.lstat(target).catch(() => null);
      if (there?.isDirectory) throw directoryInTheWayError(target);
      // Like writeFile: just-bash's writeFile and symlink replace a symlink, never follow it.
      await placeFile(this.#fs, target, file.data, file.mode, false);
    }
  }

  async readFile(path: string): Promise<Uint8Array> {
    this.#assertAlive();
    const target = this.#resolve(path);
    if (!(await this.#fs.exists(target)) || (await this.#fs.stat(target)).isDirectory)
      throw notFoundError(path);
    return this.#fs.readFileBuffer(target);
  }

  async listFiles(dir: string): Promise<string[]> {
    this.#assertAlive();
    const start = this.#resolve(dir);
    if (!(await this.#fs.exists(start)) || !(await this.#fs.stat(start)).isDirectory) return [];
    // just-bash's InMemoryFs answers readdir by scanning every path below the directory, so a
    // walk costs depth³ on a deep tree (30 s at depth 2,000). One pass over all paths finds the
    // directories (the parents of other paths), so the cost follows the paths' total length
    // (`npm run bench`); only leaves need an lstat, to tell a file or a symlink (listed, not
    // followed) from an empty directory.
    const prefix = start === '/' ? '/' : `${start}/`;
    const below = this.#fs.getAllPaths().filter((path) => path.startsWith(prefix));
    const parents = new Set(below.map(parentOf));
    const found: string[] = [];
    for (const path of below) {
      if (parents.has(path)) continue;
      if (!(await this.#fs.lstat(path)).isDirectory) found.push(path);
    }
    return found.sort();
  }

  async dispose(): Promise<void> {
    if (this.#gone) return;
    this.#gone = true;
    await this.#shell.stop(new Error('the workspace was disposed'));
    this.#onDispose();
  }

  #assertAlive(): void {
    if (this.#gone) throw workspaceGoneError();
  }

  #resolve(path: string): string {
    return path.startsWith('/') ? normalize(path) : join(this.#projectDir, path);
  }
}

async function placeFile(
  fs: IFileSystem,
  path: string,
  data: Uint8Array,
  mode = 0o100644,
  makeParent = true,
): Promise<void> {
  if (makeParent) await fs.mkdir(parentOf(path), { recursive: true });
  if ((mode & TYPE_MASK) === SYMLINK) {
    // A link replaces what is there, as a file does (`rm` takes a link itself, dangling or not).
    await fs.rm(path, { force: true });
    await fs.symlink(decoder.decode(data), path);
    return;
  }
  await fs.writeFile(path, data);
  await fs.chmod(path, mode & 0o777);
}

function join(base: string, path: string): string {
  return normalize(`${base}/${path}`);
}

function parentOf(path: string): string {
  return normalize(path.slice(0, path.lastIndexOf('/')) || '/');
}
