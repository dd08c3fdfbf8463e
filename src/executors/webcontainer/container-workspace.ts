/**
 * One job in the tab's WebContainer. The checkout is mounted at the project directory below the
 * container's workdir; the stage shell (../bash) runs the job's stages on the container's files
 * (container-file-system.ts, mounted at the workdir over an in-memory root that holds the
 * shell's own /tmp and /dev) and starts programs in the container (program-commands.ts). Every
 * process it starts is tracked: when the job ends, the ones still running are killed, and if
 * one will not die the container is replaced, so nothing of this job runs on into the next.
 */
import { InMemoryFs, MountableFs } from 'just-bash';
import { hasErrorCode } from '../../errors/index.ts';
import type { Clock } from '../../platform/clock.ts';
import { StageShell } from '../bash/stage-shell.ts';
import type { Stage, StageHooks, StageResult, Workspace } from '../port.ts';
import { ContainerFileSystem } from './container-file-system.ts';
import type { Container, ContainerProcess } from './container.ts';
import { PROGRAMS, programCommands, type ProgramHost } from './program-commands.ts';
import {
  runProgram,
  type ProgramCall,
  type ProgramLimits,
  type ProgramResult,
} from './run-program.ts';
import {
  notFoundError,
  outsideWorkdirError,
  stuckError,
  workspaceGoneError,
} from './webcontainer-errors.ts';
import { webContainerHint } from './webcontainer-hints.ts';

/** What a workspace needs from the executor that owns the container. */
export interface WorkspaceHost {
  readonly clock: Clock;
  readonly limits: ProgramLimits;
  /** The workspace is done; the next job may prepare. */
  release(workspace: ContainerWorkspace): void;
  /** A process ignored `kill()`: drop this container and start a fresh one. */
  replace(container: Container, why: string): Promise<void>;
}

/** A background program is stopped by the job's end, not by a stage's signal. */
const NEVER = new AbortController().signal;

export interface WorkspaceSetup {
  /** Absolute project directory, below the container's workdir. */
  projectDir: string;
  /** Where everything a job writes lives (removed at the end), relative to the workdir. */
  buildsRoot: string;
  env: Record<string, string>;
}

export class ContainerWorkspace implements Workspace, ProgramHost {
  readonly workdir: string;
  readonly #host: WorkspaceHost;
  readonly #container: Container;
  readonly #setup: WorkspaceSetup;
  readonly #shell: StageShell;
  readonly #running = new Set<ContainerProcess>();
  /** Programs being run or stopped for the current stage. */
  readonly #calls = new Set<Promise<ProgramResult>>();
  #signal: AbortSignal | undefined;
  #stuck = false;
  #gone = false;

  private constructor(
    host: WorkspaceHost,
    container: Container,
    setup: WorkspaceSetup,
    fs: MountableFs,
  ) {
    this.#host = host;
    this.#container = container;
    this.#setup = setup;
    this.workdir = container.workdir;
    this.#shell = new StageShell({
      fs,
      projectDir: setup.projectDir,
      env: setup.env,
      commands: (output) => programCommands(this, output),
      live: PROGRAMS,
      missingCommandHint: webContainerHint,
    });
  }

  /** The shell's root is its own (tap devices, /tmp); the workdir is the container's. */
  static async create(
    host: WorkspaceHost,
    container: Container,
    setup: WorkspaceSetup,
  ): Promise<ContainerWorkspace> {
    const base = new InMemoryFs();
    await base.mkdir('/tmp', { recursive: true });
    await StageShell.install(base);
    const fs = new MountableFs({
      base,
      mounts: [
        { mountPoint: container.workdir, filesystem: new ContainerFileSystem(container.fs) },
      ],
    });
    return new ContainerWorkspace(host, container, setup, fs);
  }

  async runStage(stage: Stage, hooks: StageHooks, signal: AbortSignal): Promise<StageResult> {
    this.#checkAlive();
    this.#signal = signal;
    try {
      return await this.#shell.run(stage, hooks, signal);
    } catch (err) {
      // The shell gives up on a cancelled stage at once; the stage ends when its program has.
      await Promise.allSettled(this.#calls);
      if (this.#stuck && hasErrorCode(err, 'AbortError')) throw stuckError(signal.reason);
      throw err;
    } finally {
      this.#signal = undefined;
    }
  }

  /** ProgramHost: start a program with the running stage's signal. */
  async run(call: Omit<ProgramCall, 'signal'>): Promise<ProgramResult> {
    this.#checkAlive();
    const signal = this.#signal ?? AbortSignal.abort(new Error('no stage is running'));
    const running = (async () => {
      const result = await runProgram(
        this.#container,
        { ...call, signal },
        { clock: this.#host.clock, limits: this.#host.limits, tracker: this },
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
   * ProgramHost: `cmd &`. It runs until it ends or the job does (dispose kills it); what it
   * prints while a stage runs goes to the log. Nothing waits for it, as bash does not.
   */
  startBackground(call: Omit<ProgramCall, 'signal'>): void {
    this.#checkAlive();
    void runProgram(
      this.#container,
      { ...call, signal: NEVER },
      { clock: this.#host.clock, limits: this.#host.limits, tracker: this },
    );
  }

  started(process: ContainerProcess): void {
    this.#running.add(process);
  }

  ended(process: ContainerProcess): void {
    this.#running.delete(process);
  }

  async writeFile(path: string, data: Uint8Array): Promise<void> {
    this.#checkAlive();
    const target = this.#relative(path);
    await this.#container.fs.mkdir(target.slice(0, target.lastIndexOf('/')), { recursive: true });
    await this.#container.fs.writeFile(target, data);
  }

  async readFile(path: string): Promise<Uint8Array> {
    this.#checkAlive();
    try {
      return await this.#container.fs.readFile(this.#relative(path));
    } catch (err) {
      throw isNotFound(err) ? notFoundError(path) : err;
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
   * Stop what the job left running, then remove its files. A process that outlives `kill()`
   * costs the container: it is replaced before the next job.
   */
  async dispose(): Promise<void> {
    if (this.#gone) return;
    this.#gone = true;
    try {
      const left = [...this.#running];
      for (const process of left) process.kill();
      const ended = Promise.all(left.map((p) => p.exit.catch(() => undefined)));
      const timer = new AbortController();
      const gaveUp = this.#host.clock
        .sleep(this.#host.limits.killGraceMs ?? 3_000, timer.signal)
        .then(
          () => true,
          () => false,
        );
      const stuck = left.length > 0 && (await Promise.race([ended.then(() => false), gaveUp]));
      timer.abort();
      if (stuck) {
        await this.#host.replace(this.#container, 'a process of the last job ignored kill()');
        return;
      }
      await this.#container.fs.rm(this.#setup.buildsRoot, { recursive: true, force: true });
    } finally {
      this.#host.release(this);
    }
  }

  /** A program ignored `kill()`: this container (and the job's files) must go. */
  async #abandon(command: string): Promise<void> {
    this.#stuck = true;
    this.#gone = true;
    this.#host.release(this);
    await this.#host.replace(this.#container, `\`${command}\` ignored kill()`);
  }

  #checkAlive(): void {
    if (this.#gone) throw workspaceGoneError();
  }

  /** An absolute container path as the file API wants it: relative to the workdir. */
  #relative(path: string): string {
    const workdir = this.workdir;
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
