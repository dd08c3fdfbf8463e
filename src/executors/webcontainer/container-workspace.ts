/**
 * One job in the tab's WebContainer. The checkout is mounted at the project directory below the
 * container's workdir; the stage shell (../bash) runs the job's stages on the container's files
 * (container-file-system.ts, mounted at the workdir over an in-memory root that holds the
 * shell's own /tmp and /dev) and starts programs in the container (program-commands.ts).
 *
 * Every process the executor starts is tracked, background ones included: when the job ends,
 * the ones still running are killed, and if one will not die the container is replaced.
 * Processes those programs start themselves are the container's business; the executor
 * replaces the container between jobs of different projects (webcontainer-executor.ts).
 */
import { InMemoryFs, MountableFs } from 'just-bash';
import { hasErrorCode } from '../../errors/index.ts';
import { concat } from '../../job/concat-bytes.ts';
import { within, type Clock } from '../../platform/clock.ts';
import { StageShell } from '../bash/stage-shell.ts';
import type { Stage, StageHooks, StageResult, TreeFile, Workspace } from '../port.ts';
import { ContainerFileSystem } from './container-file-system.ts';
import type { Container, ContainerProcess } from './container.ts';
import { PROGRAMS, programCommands, type ProgramHost } from './program-commands.ts';
import {
  killQuietly,
  runProgram,
  type ProcessTracker,
  type ProgramCall,
  type ProgramLimits,
  type ProgramResult,
} from './run-program.ts';
import {
  busyError,
  notFoundError,
  outsideWorkdirError,
  stuckError,
  workspaceGoneError,
} from './webcontainer-errors.ts';
import { webContainerHint } from './webcontainer-hints.ts';

/** What a workspace needs from the executor that owns the container. */
export interface WorkspaceHost {
  readonly clock: Clock;
  readonly limits: Required<ProgramLimits>;
  /** The workspace is done; the next job may prepare. */
  release(workspace: ContainerWorkspace): void;
  /** This container cannot be trusted to be clean: drop it and start a fresh one. */
  replace(container: Container, why: string): Promise<void>;
}

export interface WorkspaceSetup {
  /** Absolute project directory, below the container's workdir. */
  projectDir: string;
  /** Where everything a job writes lives (removed at the end), relative to the workdir. */
  buildsRoot: string;
  env: Record<string, string>;
  /** The checkout's files, for their modes. */
  files: readonly TreeFile[];
}

/** A background program is stopped by the job's end, not by a stage's signal. */
const NEVER = new AbortController().signal;

/** How often a background program's output file is brought up to date. */
const FILE_FLUSH_MS = 500;

export class ContainerWorkspace implements Workspace {
  readonly #host: WorkspaceHost;
  readonly #container: Container;
  readonly #setup: WorkspaceSetup;
  readonly #fs: MountableFs;
  readonly #shell: StageShell;
  /** Processes started and not seen to end. */
  readonly #running = new Set<ContainerProcess>();
  /** Program runs in flight: a stage's, being run or stopped, and background starts. */
  readonly #calls = new Set<Promise<unknown>>();
  #signal: AbortSignal | undefined;
  #lost: string | null = null;
  #gone = false;

  private constructor(host: WorkspaceHost, container: Container, setup: WorkspaceSetup) {
    this.#host = host;
    this.#container = container;
    this.#setup = setup;
    const files = new ContainerFileSystem(container.fs);
    for (const file of setup.files)
      if (file.mode !== undefined && (file.mode & 0o111) !== 0)
        files.setMode(
          `${setup.projectDir.slice(container.workdir.length)}/${file.path}`,
          file.mode,
        );
    this.#fs = new MountableFs({
      base: new InMemoryFs(),
      mounts: [{ mountPoint: container.workdir, filesystem: files }],
    });
    const programs: ProgramHost = {
      workdir: container.workdir,
      run: (call) => this.#run(call),
      startBackground: (call, file) => this.#startBackground(call, file),
    };
    this.#shell = new StageShell({
      fs: this.#fs,
      projectDir: setup.projectDir,
      env: setup.env,
      commands: (output) => programCommands(programs, output),
      live: PROGRAMS,
      sleep: (ms) => host.clock.sleep(ms),
      missingCommandHint: webContainerHint,
      settle: async () => {
        await Promise.allSettled(this.#calls);
      },
    });
  }

  /** The shell's root is its own (tap devices, /tmp); the workdir is the container's. */
  static async create(
    host: WorkspaceHost,
    container: Container,
    setup: WorkspaceSetup,
  ): Promise<ContainerWorkspace> {
    const workspace = new ContainerWorkspace(host, container, setup);
    await workspace.#fs.mkdir('/tmp', { recursive: true });
    await StageShell.install(workspace.#fs);
    return workspace;
  }

  async runStage(stage: Stage, hooks: StageHooks, signal: AbortSignal): Promise<StageResult> {
    this.#checkAlive();
    if (this.#signal) throw busyError();
    this.#signal = signal;
    try {
      return await this.#shell.run(stage, hooks, signal);
    } catch (err) {
      if (this.#lost && hasErrorCode(err, 'AbortError')) throw stuckError(signal.reason);
      throw err;
    } finally {
      this.#signal = undefined;
    }
  }

  async writeFile(path: string, data: Uint8Array): Promise<void> {
    this.#checkAlive();
    const target = this.#relative(path);
    const slash = target.lastIndexOf('/');
    if (slash > 0) await this.#container.fs.mkdir(target.slice(0, slash), { recursive: true });
    // The port promises to replace a symlink, not write through it; rm takes the link itself.
    await this.#container.fs.rm(target, { force: true });
    await this.#container.fs.writeFile(target, data);
  }

  async readFile(path: string): Promise<Uint8Array> {
    this.#checkAlive();
    try {
      return await this.#container.fs.readFile(this.#relative(path));
    } catch (err) {
      // A directory is no file to read back either, as in the shell executor.
      throw isNotFound(err) || isDirectory(err) ? notFoundError(path) : err;
    }
  }

  async listFiles(dir: string): Promise<string[]> {
    this.#checkAlive();
    const found: string[] = [];
    const walk = async (absolute: string): Promise<void> => {
      let entries;
      try {
        entries = await this.#container.fs.readdir(this.#relative(absolute), {
          withFileTypes: true,
        });
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
      for (const entry of entries) {
        const path = `${absolute}/${entry.name}`;
        if (entry.isDirectory()) await walk(path);
        else found.push(path);
      }
    };
    await walk(dir.replace(/\/+$/, ''));
    return found.sort();
  }

  /**
   * Stop what the job left running, then remove its files. A process that outlives `kill()`,
   * or a file API that does not answer, costs the container: it is replaced before the next job.
   */
  async dispose(): Promise<void> {
    if (this.#gone) return;
    this.#gone = true;
    const { clock, limits } = this.#host;
    try {
      // A background start still in flight ends up in `#running` (or is killed) first.
      await within(clock, Promise.allSettled(this.#calls), limits.spawnTimeoutMs);
      const left = [...this.#running];
      for (const process of left) killQuietly(process);
      const ended = Promise.allSettled(left.map((p) => p.exit));
      if (left.length > 0 && (await within(clock, ended, limits.killGraceMs)) === 'timeout') {
        await this.#host.replace(this.#container, 'a process of the last job ignored kill()');
        return;
      }
      const removed = this.#container.fs
        .rm(this.#setup.buildsRoot, { recursive: true, force: true })
        .then(
          () => true,
          () => false,
        );
      if ((await within(clock, removed, limits.spawnTimeoutMs)) !== true)
        await this.#host.replace(this.#container, 'removing the last job’s files did not finish');
    } finally {
      this.#host.release(this);
    }
  }

  /** Start a program with the running stage's signal; a stuck one costs the container. */
  async #run(call: Omit<ProgramCall, 'signal'>): Promise<ProgramResult> {
    this.#checkAlive();
    const signal = this.#signal ?? AbortSignal.abort(new Error('no stage is running'));
    const running = (async () => {
      const result = await runProgram(
        this.#container,
        { ...call, signal },
        { clock: this.#host.clock, limits: this.#host.limits, tracker: this.#tracker },
      );
      if (result.kind === 'cancelled' && result.how === 'stuck') await this.#abandon(call.command);
      return result;
    })();
    this.#calls.add(running);
    try {
      return await running;
    } finally {
      this.#calls.delete(running);
    }
  }

  /**
   * `cmd &`: runs until it ends or the job does (dispose kills it). Its output goes where the
   * call says (the log while a stage runs), or to the file the shell named, kept up to date
   * every half second. Only its start is waited for (by dispose), not its end.
   */
  #startBackground(
    call: Omit<ProgramCall, 'signal'>,
    file: { path: string; append: boolean } | null,
  ): void {
    this.#checkAlive();
    const sink = file ? this.#fileSink(file.path, file.append) : null;
    let spawned!: () => void;
    const starting = new Promise<void>((resolve) => (spawned = resolve));
    const tracker: ProcessTracker = {
      started: (process) => {
        this.#tracker.started(process);
        spawned();
      },
      ended: (process) => this.#tracker.ended(process),
    };
    void runProgram(
      this.#container,
      { ...call, ...(sink ? { onOutput: sink.write } : {}), signal: NEVER },
      { clock: this.#host.clock, limits: this.#host.limits, tracker },
    ).finally(() => {
      spawned();
      sink?.close();
    });
    this.#calls.add(starting);
    void starting.then(() => this.#calls.delete(starting));
  }

  /** Output into a file of the shell's file system: kept in memory, written every so often. */
  #fileSink(path: string, append: boolean): { write(chunk: Uint8Array): void; close(): void } {
    const chunks: Uint8Array[] = [];
    let dirty = false;
    let closed = false;
    const flush = async (): Promise<void> => {
      if (!dirty || path === '/dev/null') return;
      dirty = false;
      await this.#fs.writeFile(path, concat(chunks)).catch(() => undefined);
    };
    const tick = async (): Promise<void> => {
      while (!closed) {
        await this.#host.clock.sleep(FILE_FLUSH_MS);
        await flush();
      }
    };
    void (async () => {
      if (append && path !== '/dev/null')
        chunks.push(await this.#fs.readFileBuffer(path).catch(() => new Uint8Array()));
      dirty = true;
      await flush();
      await tick();
    })();
    return {
      write: (chunk) => {
        chunks.push(chunk);
        dirty = true;
      },
      close: () => {
        closed = true;
        void flush();
      },
    };
  }

  readonly #tracker: ProcessTracker = {
    started: (process) => {
      // A start that lands after the job ended has no job to run for.
      if (this.#gone) killQuietly(process);
      this.#running.add(process);
    },
    ended: (process) => {
      this.#running.delete(process);
    },
  };

  get lost(): string | null {
    return this.#lost;
  }

  /** A program ignored `kill()`: this container (and the job's files) must go. */
  async #abandon(command: string): Promise<void> {
    this.#lost = `\`${command}\` ignored kill(), so the WebContainer was replaced and the job’s files are gone.`;
    this.#gone = true;
    this.#host.release(this);
    await this.#host.replace(this.#container, `\`${command}\` ignored kill()`);
  }

  #checkAlive(): void {
    if (this.#gone) throw workspaceGoneError();
  }

  /** An absolute container path as the file API wants it: relative to the workdir. */
  #relative(path: string): string {
    const workdir = this.#container.workdir;
    if (!path.startsWith(`${workdir}/`)) throw outsideWorkdirError(path, workdir);
    const segments = path
      .slice(workdir.length + 1)
      .split('/')
      .filter((s) => s !== '' && s !== '.');
    if (segments.includes('..') || segments.length === 0) throw outsideWorkdirError(path, workdir);
    return segments.join('/');
  }
}

function isNotFound(err: unknown): boolean {
  if (hasErrorCode(err, 'ENOENT')) return true;
  return err instanceof Error && /ENOENT|no such file/i.test(err.message);
}

function isDirectory(err: unknown): boolean {
  return hasErrorCode(err, 'EISDIR') || (err instanceof Error && /EISDIR/.test(err.message));
}
