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
import { hasErrorCode, TabrunnerError } from '../../errors/index.ts';
import { concat } from '../../bytes/concat-bytes.ts';
import { within, type Clock } from '../../platform/clock.ts';
import { StageShell } from '../bash/stage-shell.ts';
import type { Stage, StageHooks, StageResult, TreeFile, Workspace } from '../port.ts';
import { ContainerFileSystem } from './container-file-system.ts';
import type { Container, ContainerProcess } from './container.ts';
import { encodeBinarySnapshot } from './binary-snapshot.ts';
import { fileError, fileErrorCode } from './file-errors.ts';
import { SYMLINK_MODE } from './file-system-tree.ts';
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
  directoryInTheWayError,
  fileApiTimeoutError,
  notFoundError,
  outsideWorkdirError,
  stuckError,
  workspaceGoneError,
} from './webcontainer-errors.ts';
import { webContainerHint } from './webcontainer-hints.ts';
import { workdirRelative } from './workdir-path.ts';

/** What a workspace needs from the executor that owns the container. */
export interface WorkspaceHost {
  readonly clock: Clock;
  readonly limits: Required<ProgramLimits>;
  /** The workspace is done; the next job may prepare. */
  release(workspace: ContainerWorkspace): void;
  /** This container cannot be trusted to be clean: drop it and start a fresh one. */
  replace(container: Container, why: string): Promise<void>;
}

interface WorkspaceSetup {
  /** Absolute project directory, below the container's workdir. */
  projectDir: string;
  /** Where everything a job writes lives (removed at the end), relative to the workdir. */
  buildsRoot: string;
  env: Record<string, string>;
  /** The checkout's files, read once for their modes. */
  files: readonly TreeFile[];
}

/** Output of `cmd > file &` on its way to the file. */
interface FileSink {
  write(chunk: Uint8Array): void;
  /** No more output comes; what is pending is written unless the job ended. */
  close(): void;
  /** Settles once the sink writes no more. */
  readonly done: Promise<void>;
}

/** A background program is stopped by the job's end, not by a stage's signal. */
const NEVER = new AbortController().signal;

/** How often a background program's output file is brought up to date. */
const FILE_FLUSH_MS = 500;

export class ContainerWorkspace implements Workspace {
  readonly #host: WorkspaceHost;
  readonly #container: Container;
  readonly #buildsRoot: string;
  /** The container's files as the shell sees them, with the modes the API cannot keep. */
  readonly #files: ContainerFileSystem;
  readonly #fs: MountableFs;
  readonly #shell: StageShell;
  /** Processes started and not seen to end. */
  readonly #running = new Set<ContainerProcess>();
  /** Program runs in flight: a stage's, being run or stopped, and background starts. */
  readonly #calls = new Set<Promise<unknown>>();
  readonly #sinks = new Set<FileSink>();
  #lost: string | null = null;
  /** Set once the workspace lost its container: that container's replacement. */
  #replaced: Promise<void> | undefined;
  #gone = false;

  private constructor(host: WorkspaceHost, container: Container, setup: WorkspaceSetup) {
    this.#host = host;
    this.#container = container;
    this.#buildsRoot = setup.buildsRoot;
    this.#files = new ContainerFileSystem(container.fs);
    const project = this.#mountPath(setup.projectDir);
    for (const file of setup.files)
      if (file.mode !== undefined && (file.mode & 0o111) !== 0)
        this.#files.setMode(`${project}/${file.path}`, file.mode);
    this.#fs = new MountableFs({
      base: new InMemoryFs(),
      mounts: [{ mountPoint: container.workdir, filesystem: this.#files }],
    });
    const programs: ProgramHost = {
      workdir: container.workdir,
      run: (call) => this.#run(call),
      startBackground: (call, file) => this.#startBackground(call, file),
    };
    const { clock, limits } = host;
    this.#shell = new StageShell({
      fs: this.#fs,
      projectDir: setup.projectDir,
      env: setup.env,
      commands: (output) => programCommands(programs, output),
      live: PROGRAMS,
      sleep: (ms) => clock.sleep(ms),
      missingCommandHint: webContainerHint,
      settle: async () => {
        // Each run is bounded on its own (run-program.ts); this only keeps a stage from waiting
        // on a bug there.
        const longest = limits.spawnTimeoutMs + limits.killGraceMs + limits.drainGraceMs;
        await within(clock, Promise.allSettled(this.#calls), longest);
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
    await StageShell.install(workspace.#fs);
    return workspace;
  }

  async runStage(stage: Stage, hooks: StageHooks, signal: AbortSignal): Promise<StageResult> {
    this.#checkAlive();
    try {
      return await this.#shell.run(stage, hooks, signal);
    } catch (err) {
      if (this.#lost === null || !hasErrorCode(err, 'AbortError')) throw err;
      await this.#replaced;
      throw stuckError(signal.reason);
    }
  }

  async writeFile(path: string, data: Uint8Array): Promise<void> {
    this.#checkAlive();
    // The port promises to replace a symlink, not write through it (replaceFile removes it).
    await this.#bounded(`writing ${path}`, this.#files.replaceFile(this.#mountPath(path), data));
  }

  /**
   * One binary-snapshot `mount()` for the whole batch instead of a file-API call per file. Mount
   * writes through nothing we can see, so the paths are made safe first, one listing per parent
   * directory: a symlink at a file's path is removed (the port's replace-not-follow rule) and a
   * directory there is refused with `EISDIR`. That `mount()` merges into the existing directory
   * and replaces files is inferred from the API's typings, not seen in a browser (as the
   * snapshot's shape, binary-snapshot.ts).
   */
  async writeFiles(dir: string, files: readonly TreeFile[]): Promise<void> {
    this.#checkAlive();
    if (files.length === 0) return;
    const root = this.#mountPath(dir);
    const base = root === '/' ? '' : root;
    const byParent = new Map<string, Set<string>>();
    for (const file of files) {
      if (file.mode === SYMLINK_MODE) throw fileError('ENOTSUP', 'symlink', `${base}/${file.path}`);
      const slash = file.path.lastIndexOf('/');
      const parent = slash < 0 ? '' : `/${file.path.slice(0, slash)}`;
      const names = byParent.get(parent) ?? new Set<string>();
      names.add(file.path.slice(slash + 1));
      byParent.set(parent, names);
    }
    const what = `writing ${files.length} files below ${dir}`;
    await this.#bounded(what, this.#files.mkdir(root, { recursive: true }));
    for (const [parent, names] of byParent) {
      let entries;
      try {
        entries = await this.#bounded(what, this.#files.readdirWithFileTypes(`${base}${parent}`));
      } catch (err) {
        if (containerErrorCode(err) === 'ENOENT') continue;
        throw err;
      }
      for (const entry of entries) {
        if (!names.has(entry.name)) continue;
        const path = `${base}${parent}/${entry.name}`;
        if (entry.isDirectory) throw directoryInTheWayError(this.#absolute(path));
        // The API lists a link as neither file nor directory; `rm` takes the link itself.
        if (!entry.isFile)
          await this.#bounded(what, this.#container.fs.rm(path.slice(1), { force: true }));
      }
    }
    const snapshot = encodeBinarySnapshot({ files: [...files] });
    await this.#bounded(
      what,
      this.#container.mount(snapshot, { mountPoint: relativeMountPoint(root) }),
    );
    for (const file of files) this.#files.setMode(`${base}/${file.path}`, file.mode ?? 0o100644);
  }

  async readFile(path: string): Promise<Uint8Array> {
    this.#checkAlive();
    try {
      return await this.#bounded(
        `reading ${path}`,
        this.#files.readFileBuffer(this.#mountPath(path)),
      );
    } catch (err) {
      const code = containerErrorCode(err);
      // A directory is no file to read back either, as in the shell executor.
      throw code === 'ENOENT' || code === 'EISDIR' ? notFoundError(path) : err;
    }
  }

  async listFiles(dir: string): Promise<string[]> {
    this.#checkAlive();
    const found: string[] = [];
    const walk = async (mount: string): Promise<void> => {
      let entries;
      try {
        entries = await this.#bounded(
          `listing ${this.#absolute(mount)}`,
          this.#files.readdirWithFileTypes(mount),
        );
      } catch (err) {
        const code = containerErrorCode(err);
        // Missing, or a file: no directory to list, as in the shell executor.
        if (code === 'ENOENT' || code === 'ENOTDIR') return;
        throw err;
      }
      const base = mount === '/' ? '' : mount;
      for (const entry of entries) {
        const path = `${base}/${entry.name}`;
        if (entry.isDirectory) await walk(path);
        else found.push(this.#absolute(path));
      }
    };
    await walk(this.#mountPath(dir));
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
      // A stage still running is cancelled, and its programs stopped, before anything else.
      await this.#shell.stop(new Error('the workspace was disposed'));
      if (this.#replaced) return;
      // A background start still in flight ends up in `#running` (or is killed) first.
      await within(clock, Promise.allSettled(this.#calls), limits.spawnTimeoutMs);
      const left = [...this.#running];
      for (const process of left) killQuietly(process);
      const ended = Promise.allSettled(left.map((p) => p.exit));
      if (left.length > 0 && (await within(clock, ended, limits.killGraceMs)) === 'timeout') {
        await this.#host.replace(this.#container, 'a process of the last job ignored kill()');
        return;
      }
      const removed = (async () => {
        // A sink's last write must not land after the files are gone.
        await this.#closeSinks();
        await this.#container.fs.rm(this.#buildsRoot, { recursive: true, force: true });
      })().then(
        () => true,
        () => false,
      );
      if ((await within(clock, removed, limits.spawnTimeoutMs)) !== true)
        await this.#host.replace(this.#container, 'removing the last job’s files did not finish');
    } finally {
      this.#host.release(this);
    }
  }

  /** Start a program for the running stage; a stuck one costs the container. */
  async #run(call: ProgramCall): Promise<ProgramResult> {
    this.#checkAlive();
    const running = (async () => {
      const result = await runProgram(this.#container, call, {
        clock: this.#host.clock,
        limits: this.#host.limits,
        tracker: this.#tracker,
      });
      if (result.kind === 'cancelled' && result.how === 'stuck')
        await this.#abandon(
          `\`${call.command}\` ignored kill(), so the WebContainer was replaced and the job’s files are gone.`,
          `\`${call.command}\` ignored kill()`,
        );
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
      { ...call, ...(sink ? { onOutput: (chunk) => sink.write(chunk) } : {}), signal: NEVER },
      { clock: this.#host.clock, limits: this.#host.limits, tracker },
    ).finally(() => {
      spawned();
      sink?.close();
    });
    this.#calls.add(starting);
    void starting.then(() => this.#calls.delete(starting));
  }

  /**
   * Output into a file of the shell's file system. Only what came since the last write is held
   * and appended, every half second, until the program ends or the job does.
   */
  #fileSink(path: string, append: boolean): FileSink {
    let pending: Uint8Array[] = [];
    const closed = new AbortController();
    const { clock } = this.#host;
    const keepUp = async (): Promise<void> => {
      try {
        // `>` empties the file before the program writes, as bash does.
        if (!append) await this.#fs.writeFile(path, new Uint8Array());
        let open = true;
        while (open && !this.#gone) {
          await clock.sleep(FILE_FLUSH_MS, closed.signal).catch(() => undefined);
          // Read after the sleep: what came before a close is still written.
          open = !closed.signal.aborted;
          if (this.#gone || pending.length === 0) continue;
          const chunk = concat(pending);
          pending = [];
          await this.#fs.appendFile(path, chunk);
        }
      } catch {
        // Bash would have failed the redirection; here the program runs on, its output unwritten.
      } finally {
        closed.abort();
        pending = [];
      }
    };
    const sink: FileSink = {
      write: (chunk) => {
        if (!closed.signal.aborted) pending.push(chunk);
      },
      close: () => closed.abort(),
      done: keepUp().finally(() => this.#sinks.delete(sink)),
    };
    this.#sinks.add(sink);
    return sink;
  }

  /** Stop every sink; resolves when none writes any more. */
  async #closeSinks(): Promise<void> {
    const sinks = [...this.#sinks];
    for (const sink of sinks) sink.close();
    await Promise.allSettled(sinks.map((sink) => sink.done));
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

  /**
   * A program ignored `kill()` or the file API stopped answering: this container (and the job's
   * files) must go. `lost` is what the trace shows; `why` what the executor is told.
   */
  #abandon(lost: string, why: string): Promise<void> {
    if (this.#replaced) return this.#replaced;
    this.#lost = lost;
    this.#gone = true;
    void this.#closeSinks();
    this.#host.release(this);
    this.#replaced = this.#host.replace(this.#container, why);
    return this.#replaced;
  }

  /** A file call that gets no answer costs the container, as dispose's `rm` does. */
  async #bounded<T>(what: string, call: Promise<T>): Promise<T> {
    const { clock, limits } = this.#host;
    const answer = await within(
      clock,
      call.then((value) => ({ value })),
      limits.spawnTimeoutMs,
    );
    if (answer !== 'timeout') return answer.value;
    await this.#abandon(
      'The WebContainer file API stopped answering, so the WebContainer was replaced and the job’s files are gone.',
      `the file API did not answer (${what})`,
    );
    throw fileApiTimeoutError(limits.spawnTimeoutMs, what);
  }

  #checkAlive(): void {
    if (this.#gone) throw workspaceGoneError();
  }

  /** An absolute container path as the shell's mount at the workdir sees it. */
  #mountPath(path: string): string {
    const relative = workdirRelative(path, this.#container.workdir);
    if (relative === null) throw outsideWorkdirError(path, this.#container.workdir);
    return `/${relative}`;
  }

  #absolute(mount: string): string {
    return mount === '/' ? this.#container.workdir : `${this.#container.workdir}${mount}`;
  }
}

/** `mount()`'s form of a mount path: relative to the workdir, `.` for the workdir itself. */
function relativeMountPoint(mount: string): string {
  return mount === '/' ? '.' : mount.slice(1);
}

/**
 * The file error code of what the container's files raised; none for the workspace's own
 * errors (a file call that timed out), whose messages quote a path that may spell one.
 */
function containerErrorCode(err: unknown): ReturnType<typeof fileErrorCode> {
  return err instanceof TabrunnerError ? null : fileErrorCode(err);
}
