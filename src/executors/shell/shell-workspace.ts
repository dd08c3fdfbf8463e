/**
 * One job's sandbox for the shell executor: an in-memory file system holding the checkout at the
 * project directory, and the just-bash instance whose sessions run the job's lines. Disposing
 * drops both; nothing outlives the job.
 */
import { Bash, InMemoryFs } from 'just-bash';
import type { IFileSystem } from 'just-bash';
import type { Clock } from '../../platform/clock.ts';
import type { FileTree, PrepareOptions, Session, Workspace } from '../port.ts';
import { createLoopYieldPlugin, createYieldCommand } from './loop-yield.ts';
import { createStreamRedirectPlugin } from './stream-redirect.ts';
import { OutputTap } from './output-tap.ts';
import { notFoundError, workspaceGoneError } from './shell-errors.ts';
import { SHELL_LIMITS } from './shell-limits.ts';
import { ShellSession, type SessionHost } from './shell-session.ts';

const TYPE_MASK = 0o170000;
const SYMLINK = 0o120000;
const decoder = new TextDecoder();

export class ShellWorkspace implements Workspace, SessionHost {
  readonly bash: Bash;
  readonly tap: OutputTap;
  readonly #fs: IFileSystem;
  readonly #options: PrepareOptions;
  readonly #onDispose: () => void;
  #gone = false;

  private constructor(
    fs: IFileSystem,
    tap: OutputTap,
    options: PrepareOptions,
    clock: Clock | undefined,
    onDispose: () => void,
  ) {
    this.#fs = fs;
    this.tap = tap;
    this.#options = options;
    this.#onDispose = onDispose;
    this.bash = new Bash({
      fs: tap.wrap(fs),
      cwd: options.projectDir,
      env: options.env,
      customCommands: [createYieldCommand()],
      // just-bash blocks the host's timers while a script runs; a clock built on them can't sleep.
      ...(clock ? { sleep: (ms: number) => clock.sleep(ms) } : {}),
      executionLimits: SHELL_LIMITS,
    });
    this.bash.registerTransformPlugin(createLoopYieldPlugin());
    this.bash.registerTransformPlugin(createStreamRedirectPlugin());
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
    await fs.mkdir('/tmp', { recursive: true });
    await OutputTap.install(fs);
    for (const dir of tree.directories ?? []) await fs.mkdir(join(root, dir), { recursive: true });
    for (const file of tree.files) await placeFile(fs, join(root, file.path), file.data, file.mode);
    return new ShellWorkspace(
      fs,
      new OutputTap(),
      { ...options, projectDir: root },
      clock,
      onDispose,
    );
  }

  assertAlive(): void {
    if (this.#gone) throw workspaceGoneError();
  }

  async openSession(): Promise<Session> {
    this.assertAlive();
    return new ShellSession(this, this.bash.getEnv(), this.#options.projectDir);
  }

  async writeFile(path: string, data: Uint8Array): Promise<void> {
    this.assertAlive();
    const target = this.#resolve(path);
    await this.#fs.mkdir(parentOf(target), { recursive: true });
    await this.#fs.writeFile(target, data);
  }

  async readFile(path: string): Promise<Uint8Array> {
    this.assertAlive();
    const target = this.#resolve(path);
    if (!(await this.#fs.exists(target)) || (await this.#fs.stat(target)).isDirectory)
      throw notFoundError(path);
    return this.#fs.readFileBuffer(target);
  }

  async listFiles(dir: string): Promise<string[]> {
    this.assertAlive();
    const found: string[] = [];
    const walk = async (path: string): Promise<void> => {
      for (const name of await this.#fs.readdir(path)) {
        const child = join(path, name);
        const stat = await this.#fs.lstat(child);
        if (stat.isDirectory) await walk(child);
        else found.push(child);
      }
    };
    const start = this.#resolve(dir);
    if ((await this.#fs.exists(start)) && (await this.#fs.stat(start)).isDirectory)
      await walk(start);
    return found.sort();
  }

  async dispose(): Promise<void> {
    if (this.#gone) return;
    this.#gone = true;
    this.tap.listener = undefined;
    this.#onDispose();
  }

  #resolve(path: string): string {
    return path.startsWith('/') ? normalize(path) : join(this.#options.projectDir, path);
  }
}

async function placeFile(
  fs: IFileSystem,
  path: string,
  data: Uint8Array,
  mode = 0o100644,
): Promise<void> {
  await fs.mkdir(parentOf(path), { recursive: true });
  if ((mode & TYPE_MASK) === SYMLINK) {
    await fs.symlink(decoder.decode(data), path);
    return;
  }
  await fs.writeFile(path, data);
  await fs.chmod(path, mode & 0o777);
}

/** Collapses `.`, `..` and repeated slashes; the result is absolute. */
function normalize(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

function join(base: string, path: string): string {
  return normalize(`${base}/${path}`);
}

function parentOf(path: string): string {
  return normalize(path.slice(0, path.lastIndexOf('/')) || '/');
}
