/**
 * The WebContainer adapter of the executor port. It owns the tab's one WebContainer: booted on
 * first use (with a timeout), asked once what it is (one `node -p` for `process.version` and the
 * home directory),
 * given one job at a time (container-workspace.ts), and replaced by a fresh one when a process
 * will not die. A container that cannot be replaced (its teardown or the next boot hangs) makes
 * the executor refuse work with advice to reload the tab, and tells the page through `onBroken`.
 *
 * Paths are the container's own: builds live in `<workdir>/builds`, so `CI_PROJECT_DIR` is
 * where `node` sees the project.
 */
import { systemClock, timeoutSignal, within, type Clock } from '../../platform/clock.ts';
import type { Executor, ExecutorInfo, FileTree, PrepareOptions, Workspace } from '../port.ts';
import { bootWebContainer } from './boot.ts';
import { loadWebContainerApi, type Container, type WebContainerApi } from './container.ts';
import { ContainerWorkspace, type WorkspaceHost } from './container-workspace.ts';
import { chooseMountPayload, DEFAULT_SNAPSHOT_THRESHOLD_BYTES } from './mount-payload.ts';
import {
  DEFAULT_PROGRAM_LIMITS,
  runProgram,
  type ProgramLimits,
  type ProgramResult,
} from './run-program.ts';
import type { WebContainerSupport } from './support.ts';
import {
  bootFailedError,
  busyError,
  mountTimeoutError,
  needsReloadError,
  outsideBuildsError,
} from './webcontainer-errors.ts';
import { workdirRelative } from './workdir-path.ts';

export interface WebContainerExecutorOptions extends ProgramLimits {
  /** StackBlitz API key (commercial production use needs a licence). Fixed at the first boot. */
  apiKey?: string;
  /** How long `boot()` may take, a teardown before it included. @default 30_000 */
  bootTimeoutMs?: number;
  /** Must match the page's COEP header. @default 'require-corp' */
  coep?: 'require-corp' | 'credentialless';
  /** Checkouts at least this large are mounted as a binary snapshot. @default 1 MiB */
  snapshotThresholdBytes?: number;
  /** @default systemClock */
  clock?: Clock;
  /** Where `WebContainer` comes from; tests and the self-check pass a wrapper. @default the real `@webcontainer/api` */
  api?: () => Promise<WebContainerApi>;
  /** @default webContainerSupport */
  support?: () => WebContainerSupport;
  /**
   * Internal WebContainer errors (blocked storage, runtime crashes) and a probe at boot that got
   * no answer, for the page to show.
   */
  onError?: (message: string) => void;
  /** The container could not be replaced; the page should stop taking jobs and ask for a reload. */
  onBroken?: (message: string) => void;
}

export interface WebContainerExecutor extends Executor {
  /** Whether a container has been booted (the API key can no longer change). */
  readonly booted: boolean;
}

/** Every job's files live here, below the workdir; removed when the job ends. */
const BUILDS = 'builds';

/** What `describe()` learns from the container in one spawn. */
const PROBE = 'JSON.stringify([process.version, require("os").homedir()])';

/** How long the probe may take; a container whose `node -p` hangs answers nothing. */
const PROBE_TIMEOUT_MS = 30_000;

/** How long emptying the builds directory and mounting a checkout may take. */
const MOUNT_TIMEOUT_MS = 60_000;

/** Variables every program gets (the job's own override them): CI tools and npx never prompt. */
const DEFAULT_ENV = { CI: 'true', npm_config_yes: 'true' };

interface Booted {
  container: Container;
  info: ExecutorInfo;
  home: string;
}

export function createWebContainerExecutor(
  options: WebContainerExecutorOptions = {},
): WebContainerExecutor {
  return new ContainerHost(options);
}

class ContainerHost implements WebContainerExecutor, WorkspaceHost {
  readonly name = 'webcontainer';
  readonly clock: Clock;
  readonly limits: Required<ProgramLimits>;
  readonly #options: WebContainerExecutorOptions;
  #booted: Promise<Booted> | undefined;
  #everBooted = false;
  #broken: string | undefined;
  #closing = false;
  #active: ContainerWorkspace | 'preparing' | undefined;
  /** The project the current container last ran a job for. */
  #lastProject: string | undefined;

  constructor(options: WebContainerExecutorOptions) {
    this.#options = options;
    this.clock = options.clock ?? systemClock;
    this.limits = {
      spawnTimeoutMs: options.spawnTimeoutMs ?? DEFAULT_PROGRAM_LIMITS.spawnTimeoutMs,
      drainGraceMs: options.drainGraceMs ?? DEFAULT_PROGRAM_LIMITS.drainGraceMs,
      killGraceMs: options.killGraceMs ?? DEFAULT_PROGRAM_LIMITS.killGraceMs,
    };
  }

  get booted(): boolean {
    return this.#everBooted;
  }

  async describe(): Promise<ExecutorInfo> {
    return (await this.#container()).info;
  }

  async prepare(tree: FileTree, options: PrepareOptions): Promise<Workspace> {
    if (this.#active) throw busyError();
    this.#active = 'preparing';
    try {
      let booted = await this.#container();
      // Checked before anything changes; every container of this page has the same workdir.
      const mountPoint = workdirRelative(options.projectDir, booted.container.workdir);
      if (mountPoint === null || !mountPoint.startsWith(`${BUILDS}/`))
        throw outsideBuildsError(options.projectDir, booted.info.buildsDir);
      const projectDir = `${booted.container.workdir}/${mountPoint}`;
      // What one project's job leaves in the container (programs its programs started, the
      // home directory, the npm cache, /tmp) is not for another project's job to find.
      if (this.#lastProject !== undefined && this.#lastProject !== projectDir) {
        await this.replace(booted.container, 'the next job is for another project');
        booted = await this.#container();
      }
      const { container, home } = booted;
      this.#lastProject = projectDir;
      const payload = chooseMountPayload(
        tree,
        this.#options.snapshotThresholdBytes ?? DEFAULT_SNAPSHOT_THRESHOLD_BYTES,
      );
      const placed = (async () => {
        // A job that was cut short may have left files; every job starts from an empty builds dir.
        await container.fs.rm(BUILDS, { recursive: true, force: true });
        await container.fs.mkdir(mountPoint, { recursive: true });
        await container.mount(payload.kind === 'tree' ? payload.tree : payload.bytes, {
          mountPoint,
        });
      })();
      if ((await within(this.clock, placed, MOUNT_TIMEOUT_MS)) === 'timeout') {
        await this.replace(container, 'placing the checkout did not finish');
        throw mountTimeoutError(MOUNT_TIMEOUT_MS);
      }
      const workspace = await ContainerWorkspace.create(this, container, {
        projectDir,
        buildsRoot: BUILDS,
        env: { ...DEFAULT_ENV, HOME: home, PATH: container.path, ...options.env },
        files: tree.files,
      });
      this.#active = workspace;
      return workspace;
    } catch (err) {
      this.#active = undefined;
      throw err;
    }
  }

  release(workspace: ContainerWorkspace): void {
    if (this.#active === workspace) this.#active = undefined;
  }

  async replace(container: Container, why: string): Promise<void> {
    const current = await this.#booted?.catch(() => undefined);
    if (current?.container !== container) return;
    this.#booted = undefined;
    this.#lastProject = undefined;
    try {
      container.teardown();
    } catch {
      // Already torn down: nothing left to release.
    }
    // Closing the page: nothing more to run, nothing to boot.
    if (this.#closing) return;
    // The next boot waits for the teardown; if either hangs, only a reload helps.
    await this.#container().catch((err: unknown) => {
      const detail = `${why}, and a fresh WebContainer did not start: ${err instanceof Error ? err.message : String(err)}`;
      this.#broken = detail;
      this.#options.onBroken?.(needsReloadError(detail).message);
    });
  }

  async dispose(): Promise<void> {
    this.#closing = true;
    if (this.#active instanceof ContainerWorkspace) await this.#active.dispose();
    const booted = this.#booted;
    this.#booted = undefined;
    const current = await booted?.catch(() => undefined);
    try {
      current?.container.teardown();
    } catch {
      // Already torn down.
    }
  }

  #container(): Promise<Booted> {
    if (this.#broken) return Promise.reject(needsReloadError(this.#broken));
    if (!this.#booted) {
      const booting = this.#boot();
      this.#booted = booting;
      // A failed boot is not remembered: the next job tries again.
      booting.catch(() => {
        if (this.#booted === booting) this.#booted = undefined;
      });
    }
    return this.#booted;
  }

  async #boot(): Promise<Booted> {
    const api = await (this.#options.api ?? loadWebContainerApi)();
    const container = await bootWebContainer({
      api,
      clock: this.clock,
      apiKey: this.#options.apiKey,
      bootTimeoutMs: this.#options.bootTimeoutMs,
      coep: this.#options.coep,
      support: this.#options.support,
      onError: this.#options.onError,
    });
    this.#everBooted = true;
    const { nodeVersion, home } = await this.#probe(container);
    return {
      container,
      home,
      info: {
        buildsDir: `${container.workdir}/${BUILDS}`,
        shell: 'bash',
        ...(nodeVersion ? { nodeVersion } : {}),
      },
    };
  }

  /**
   * One `node -p` for the version and the home directory; without an answer, neither, and the
   * page is told why.
   */
  async #probe(container: Container): Promise<{ nodeVersion?: string; home: string }> {
    let text = '';
    const decoder = new TextDecoder();
    const deadline = timeoutSignal(this.clock, PROBE_TIMEOUT_MS, new Error('probe timeout'));
    const result = await runProgram(
      container,
      {
        command: 'node',
        args: ['-p', PROBE],
        cwd: '',
        env: {},
        stdin: '',
        onOutput: (chunk) => (text += decoder.decode(chunk, { stream: true })),
        signal: deadline.signal,
      },
      { clock: this.clock, limits: this.limits, tracker: { started() {}, ended() {} } },
    ).finally(() => deadline.clear());
    if (result.kind === 'cancelled' && result.how === 'stuck') {
      // A `node` that neither answers nor dies would run on into the first job.
      container.teardown();
      throw bootFailedError(new Error('`node -p` neither answered nor stopped'));
    }
    const answer = probeAnswer(result, text);
    const nodeVersion = typeof answer?.[0] === 'string' ? answer[0] : undefined;
    const home = typeof answer?.[1] === 'string' && answer[1].startsWith('/') ? answer[1] : null;
    if (nodeVersion === undefined || home === null) {
      const why =
        result.kind === 'cancelled'
          ? `no answer within ${Math.round(PROBE_TIMEOUT_MS / 1000)} s`
          : result.kind === 'exited'
            ? `exit code ${result.exitCode}, output ${JSON.stringify(text.trim().slice(0, 200))}`
            : result.message;
      const effects = [
        ...(home === null ? [`jobs get HOME=${container.workdir}`] : []),
        ...(nodeVersion === undefined ? ['a job’s `image:` is not compared with its Node'] : []),
      ];
      this.#options.onError?.(
        `WebContainer’s Node did not say its version and home directory at boot (${why}): ${effects.join(', and ')}.`,
      );
    }
    return {
      ...(nodeVersion === undefined ? {} : { nodeVersion }),
      home: home ?? container.workdir,
    };
  }
}

/** `[version, home]` as the probe printed it, or null when it printed no such answer. */
function probeAnswer(result: ProgramResult, text: string): unknown[] | null {
  if (result.kind !== 'exited' || result.exitCode !== 0) return null;
  try {
    const parsed: unknown = JSON.parse(text.trim());
    return Array.isArray(parsed) ? parsed : null;
  } catch {
    return null;
  }
}
