/**
 * The WebContainer adapter of the executor port. It owns the tab's one WebContainer (booted on
 * first use), gives each job a fresh root `jobs/<n>/` under the instance's workdir, mounts the
 * checkout at `jobs/<n>/<projectDir>`, runs lines in persistent `jsh --osc` sessions, and
 * tears the instance down and reboots it when a cancelled line cannot be stopped.
 *
 * Paths: the port speaks sandbox paths (`/builds/group/project`); in the container they live
 * under the job root. Env values naming the project directory are rewritten to the real path,
 * so `cd "$CI_PROJECT_DIR"` works inside the shell.
 */
import { hasErrorCode } from '../../errors/index.ts';
import { systemClock, type Clock } from '../../platform/clock.ts';
import type {
  Executor,
  FileTree,
  LineResult,
  PrepareOptions,
  Session,
  StepLine,
  Workspace,
} from '../port.ts';
import { bootWebContainer } from './boot.ts';
import {
  loadWebContainerApi,
  type Container,
  type ContainerProcess,
  type WebContainerApi,
} from './container.ts';
import { pathSegments } from './file-system-tree.ts';
import { LineDriver } from './line-driver.ts';
import { chooseMountPayload, DEFAULT_SNAPSHOT_THRESHOLD_BYTES } from './mount-payload.ts';
import type { WebContainerSupport } from './support.ts';
import { busyError, notFoundError, workspaceGoneError } from './webcontainer-errors.ts';

export interface WebContainerExecutorOptions {
  /** StackBlitz API key (commercial production use needs a licence). Fixed at the first boot. */
  apiKey?: string;
  /** How long `boot()` may take. @default 30_000 */
  bootTimeoutMs?: number;
  /** Must match the page's COEP header. @default 'require-corp' */
  coep?: 'require-corp' | 'credentialless';
  /** How long jsh may take to show its first prompt. @default 30_000 */
  shellReadyTimeoutMs?: number;
  /** After Ctrl-C, how long a cancelled line may take to stop. @default 2_000 */
  interruptGraceMs?: number;
  /** After `kill()`, how long jsh may take to exit before the container is torn down. @default 3_000 */
  killGraceMs?: number;
  /** Checkouts at least this large are mounted as a binary snapshot. @default 1 MiB */
  snapshotThresholdBytes?: number;
  /** The pty size tools see; wide so logs do not wrap. @default { cols: 200, rows: 50 } */
  terminal?: { cols: number; rows: number };
  /** @default systemClock */
  clock?: Clock;
  /** Where `WebContainer` comes from; tests pass a double. @default the real `@webcontainer/api` */
  api?: () => Promise<WebContainerApi>;
  /** @default webContainerSupport */
  support?: () => WebContainerSupport;
  /** Internal WebContainer errors (blocked storage, runtime crashes), for the page to show. */
  onError?: (message: string) => void;
}

export interface WebContainerExecutor extends Executor {
  /** What `node --version` prints in the container, e.g. `v20.19.1`; boots if needed. */
  nodeVersion(): Promise<string>;
}

export function createWebContainerExecutor(
  options: WebContainerExecutorOptions = {},
): WebContainerExecutor {
  return new ContainerHost(options);
}

class ContainerHost implements WebContainerExecutor {
  readonly name = 'webcontainer';
  readonly options: WebContainerExecutorOptions;
  readonly clock: Clock;
  #container: Promise<Container> | undefined;
  #active: ContainerWorkspace | 'preparing' | undefined;
  #jobs = 0;
  #nodeVersion: Promise<string> | undefined;

  constructor(options: WebContainerExecutorOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
  }

  container(): Promise<Container> {
    if (!this.#container) {
      const booting = this.#boot();
      this.#container = booting;
      // A failed boot is not remembered: the next job tries again.
      booting.catch(() => {
        if (this.#container === booting) this.#container = undefined;
      });
    }
    return this.#container;
  }

  async #boot(): Promise<Container> {
    const api = await (this.options.api ?? loadWebContainerApi)();
    return bootWebContainer({
      api,
      clock: this.clock,
      apiKey: this.options.apiKey,
      bootTimeoutMs: this.options.bootTimeoutMs,
      coep: this.options.coep,
      support: this.options.support,
      onError: this.options.onError,
    });
  }

  async prepare(tree: FileTree, options: PrepareOptions): Promise<Workspace> {
    if (this.#active) throw busyError();
    this.#active = 'preparing';
    try {
      const container = await this.container();
      const projectDir = `/${pathSegments(options.projectDir).join('/')}`;
      const jobRoot = `jobs/${++this.#jobs}`;
      const mountPoint = `${jobRoot}${projectDir}`;
      await container.fs.mkdir(mountPoint, { recursive: true });
      const payload = chooseMountPayload(
        tree,
        this.options.snapshotThresholdBytes ?? DEFAULT_SNAPSHOT_THRESHOLD_BYTES,
      );
      await container.mount(payload.kind === 'tree' ? payload.tree : payload.bytes, { mountPoint });
      const workspace = new ContainerWorkspace(this, container, jobRoot, projectDir, options.env);
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

  /** `kill()` could not stop a line: drop the instance and boot a fresh one for the next job. */
  async teardownAndReboot(container: Container): Promise<void> {
    if (this.#container && (await this.#container.catch(() => undefined)) === container) {
      this.#container = undefined;
      this.#nodeVersion = undefined;
      try {
        container.teardown();
      } catch {
        // Already torn down: nothing left to release.
      }
      void this.container().catch(() => undefined);
    }
  }

  nodeVersion(): Promise<string> {
    this.#nodeVersion ??= this.container().then(async (c) => {
      const text = await readAll(await c.spawn('node', ['--version']));
      return text.trim();
    });
    return this.#nodeVersion;
  }

  async dispose(): Promise<void> {
    if (this.#active instanceof ContainerWorkspace) await this.#active.dispose();
    const booted = this.#container;
    this.#container = undefined;
    this.#nodeVersion = undefined;
    const container = await booted?.catch(() => undefined);
    try {
      container?.teardown();
    } catch {
      // Already torn down.
    }
  }
}

class ContainerWorkspace implements Workspace {
  readonly #host: ContainerHost;
  readonly #container: Container;
  readonly #jobRoot: string;
  readonly #projectDir: string;
  readonly #env: Record<string, string>;
  readonly #sessions = new Set<LineDriver>();
  #scripts = 0;
  #gone = false;

  constructor(
    host: ContainerHost,
    container: Container,
    jobRoot: string,
    projectDir: string,
    env: Record<string, string>,
  ) {
    this.#host = host;
    this.#container = container;
    this.#jobRoot = jobRoot;
    this.#projectDir = projectDir;
    this.#env = env;
  }

  /** The job root as the shell sees it: an absolute container path. */
  get #absoluteRoot(): string {
    return `${this.#container.workdir}/${this.#jobRoot}`;
  }

  /** A sandbox path (or a container path under the job root) as an `fs` path. */
  fsPath(path: string): string {
    const inside = path.startsWith(`${this.#absoluteRoot}/`)
      ? path.slice(this.#absoluteRoot.length)
      : path;
    return `${this.#jobRoot}/${pathSegments(inside).join('/')}`;
  }

  /** A container path printed by the shell, as the sandbox path the port speaks. */
  sandboxPath(containerPath: string): string {
    const root = this.#absoluteRoot;
    if (containerPath === root) return '/';
    return containerPath.startsWith(`${root}/`) ? containerPath.slice(root.length) : containerPath;
  }

  shellPath(sandboxPath: string): string {
    return `${this.#absoluteRoot}${sandboxPath}`;
  }

  #checkAlive(): void {
    if (this.#gone) throw workspaceGoneError();
  }

  async openSession(): Promise<Session> {
    this.#checkAlive();
    const process = await this.#container.spawn('jsh', ['--osc'], {
      cwd: `${this.#jobRoot}${this.#projectDir}`,
      env: rewritePaths(this.#env, this.#projectDir, this.shellPath(this.#projectDir)),
      terminal: this.#host.options.terminal ?? { cols: 200, rows: 50 },
    });
    const driver = await LineDriver.start(process, {
      clock: this.#host.clock,
      readyTimeoutMs: this.#host.options.shellReadyTimeoutMs,
      interruptGraceMs: this.#host.options.interruptGraceMs,
      killGraceMs: this.#host.options.killGraceMs,
    });
    this.#sessions.add(driver);
    return new ContainerSession(this, driver, this.#projectDir);
  }

  /** A multi-line entry goes through a script file: typed as-is, jsh would run it line by line. */
  async writeScript(text: string): Promise<string> {
    const path = `/.tabrunner/line-${++this.#scripts}.sh`;
    await this.writeFile(path, new TextEncoder().encode(`${text}\n`));
    return this.shellPath(path);
  }

  /** A line ignored Ctrl-C and kill: the only way out is a new WebContainer. */
  async abandon(): Promise<void> {
    this.#gone = true;
    this.#sessions.clear();
    this.#host.release(this);
    await this.#host.teardownAndReboot(this.#container);
  }

  async writeFile(path: string, data: Uint8Array): Promise<void> {
    this.#checkAlive();
    const target = this.fsPath(path);
    await this.#container.fs.mkdir(target.slice(0, target.lastIndexOf('/')), { recursive: true });
    await this.#container.fs.writeFile(target, data);
  }

  async readFile(path: string): Promise<Uint8Array> {
    this.#checkAlive();
    try {
      return await this.#container.fs.readFile(this.fsPath(path));
    } catch (err) {
      throw isNotFound(err) ? notFoundError(path) : err;
    }
  }

  async listFiles(dir: string): Promise<string[]> {
    this.#checkAlive();
    const base = `/${pathSegments(dir).join('/')}`;
    const found: string[] = [];
    const walk = async (sandboxDir: string): Promise<void> => {
      let entries;
      try {
        entries = await this.#container.fs.readdir(this.fsPath(sandboxDir), {
          withFileTypes: true,
        });
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
      for (const entry of entries) {
        const path = `${sandboxDir}/${entry.name}`;
        if (entry.isDirectory()) await walk(path);
        else found.push(path);
      }
    };
    await walk(base);
    return found.sort();
  }

  async dispose(): Promise<void> {
    if (this.#gone) return;
    this.#gone = true;
    for (const driver of this.#sessions) driver.close();
    this.#sessions.clear();
    this.#host.release(this);
    await this.#container.fs.rm(this.#jobRoot, { recursive: true, force: true });
  }
}

class ContainerSession implements Session {
  readonly #workspace: ContainerWorkspace;
  readonly #driver: LineDriver;
  readonly #encoder = new TextEncoder();
  #cwd: string;
  #pendingEnv: Record<string, string> = {};

  constructor(workspace: ContainerWorkspace, driver: LineDriver, cwd: string) {
    this.#workspace = workspace;
    this.#driver = driver;
    this.#cwd = cwd;
  }

  async run(
    line: StepLine,
    onOutput: (chunk: Uint8Array) => void,
    signal: AbortSignal,
  ): Promise<LineResult> {
    try {
      await this.#applyEnv(signal);
      const command = line.command.includes('\n')
        ? `jsh ${quote(await this.#workspace.writeScript(line.command))}`
        : line.command;
      const exitCode = await this.#driver.run(
        command,
        (text) => onOutput(this.#encoder.encode(text)),
        signal,
      );
      await this.#refreshCwd(signal);
      return { exitCode };
    } catch (err) {
      if (hasErrorCode(err, 'AbortError') && err.data.stage === 'stuck')
        await this.#workspace.abandon();
      throw err;
    }
  }

  setEnv(vars: Record<string, string>): void {
    Object.assign(this.#pendingEnv, vars);
  }

  cwd(): string {
    return this.#cwd;
  }

  /** `setEnv` becomes `export` lines in the live shell, so it keeps its cwd and variables. */
  async #applyEnv(signal: AbortSignal): Promise<void> {
    const pending = Object.entries(this.#pendingEnv);
    this.#pendingEnv = {};
    for (const [name, value] of pending) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue; // not expressible in a shell; GitLab forbids it too
      await this.#driver.run(`export ${name}=${quote(value)}`, () => undefined, signal);
    }
  }

  async #refreshCwd(signal: AbortSignal): Promise<void> {
    let printed = '';
    const code = await this.#driver.run('pwd', (text) => (printed += text), signal);
    const path = stripAnsi(printed).trim();
    if (code === 0 && path.startsWith('/')) this.#cwd = this.#workspace.sandboxPath(path);
  }
}

/** Single-quote for jsh, as for any POSIX shell. */
function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
}

function rewritePaths(
  env: Record<string, string>,
  from: string,
  to: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    out[key] =
      value === from || value.startsWith(`${from}/`) ? `${to}${value.slice(from.length)}` : value;
  }
  return out;
}

function isNotFound(err: unknown): boolean {
  if (hasErrorCode(err, 'ENOENT')) return true;
  return err instanceof Error && /ENOENT|no such file/i.test(err.message);
}

async function readAll(process: ContainerProcess): Promise<string> {
  let text = '';
  const reader = process.output.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  await process.exit;
  return text;
}
