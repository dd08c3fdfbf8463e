/**
 * The tab's composition root: builds the GitLab client (through the relay), the executor, the
 * sources Worker and the `Runner`, and offers the UI plain verbs (verify, register, start,
 * stop, forget) with results in plain words. The UI talks to this module, never to src/gitlab
 * or src/executors. It never logs or displays a token: the one `connectRunner` returns (a
 * registration makes a new one) is for the app store and the `BrowserRunner`, and `maskToken`
 * is the only form the page shows.
 *
 * The executors are loaded when the runner first starts, not with the page: they carry
 * just-bash, most of the app's code, which the connect screen never runs
 * (bench/first-page.bench.ts measures what the first page loads).
 */
import type { Executor } from '../executors/port.ts';
import type { WebContainerExecutor } from '../executors/webcontainer/index.ts';
import { webContainerSupport } from '../executors/webcontainer/support.ts';
import {
  createGitLabClient,
  isAuthenticationToken,
  registerRunner,
  runnerFeatures,
  runnerInfo,
  unregisterManager,
  unregisterRunner,
  verifyRunner,
  type GitLabClient,
  type RunnerInfo,
} from '../gitlab/index.ts';
import { shortToken } from '../job/index.ts';
import {
  Emitter,
  Runner,
  TABRUNNER_REVISION,
  TABRUNNER_VERSION,
  sourcesRequest,
  type RunnerEvent,
  type RunnerState,
  type SourcesProvider,
  type StopMode,
} from '../runner/index.ts';
import { observeContact } from '../runner/contact-health.ts';
import { SourcesWorkerClient } from '../sources/worker/sources-worker-client.ts';
import type { StoreUsage } from '../sources/store/source-store.ts';
import type { ExecutorChoice, SavedConnection, SavedSettings } from './app-store.ts';
import {
  abortMessage,
  CONNECT_TIMEOUT_MS,
  deadline,
  failureMessage,
} from './connection-trouble.ts';
import { holdWakeLock } from '../platform/keep-awake.ts';
import { tabCacheStore } from './tab-cache-store.ts';
import { createWorkerClock, type WorkerClock } from '../platform/worker-clock.ts';

export type { RunnerEvent, RunnerState, StoreUsage };

/** The bound of the git object store in IndexedDB (least recently used projects go first). */
export const SOURCE_STORE_MAX_BYTES = 512 * 1024 * 1024;

/** What the Connect form may offer, and why an executor is unavailable. */
export function executorChoices(): { name: ExecutorChoice; available: boolean; reason: string }[] {
  const wc = webContainerSupport();
  return [
    { name: 'shell', available: true, reason: '' },
    { name: 'webcontainer', available: wc.ok, reason: wc.ok ? '' : wc.reason },
  ];
}

/** A token as the page may show it: its kind and GitLab's public short form, never the secret. */
export function maskToken(token: string): string {
  const prefix = isAuthenticationToken(token) ? 'glrt-' : '';
  return `${prefix}••••••••${token ? ` (${shortToken(token)}…)` : ''}`;
}

/** Whether a token looks like a `glrt-` runner authentication token. */
export function isRunnerAuthToken(token: string): boolean {
  return isAuthenticationToken(token.trim());
}

/** The runner API base: `<relay>/gitlab/<host>` through a relay, else the instance itself. */
export function apiBaseUrl(gitlabUrl: string, relayUrl: string): string {
  const gitlab = new URL(gitlabUrl);
  if (!relayUrl.trim()) return gitlab.origin + gitlab.pathname.replace(/\/+$/, '');
  return `${relayUrl.trim().replace(/\/+$/, '')}/gitlab/${gitlab.host}`;
}

/** Check a GitLab URL the way the client will; `null` when usable, else what to fix. */
export function checkGitLabUrl(gitlabUrl: string): string | null {
  try {
    createGitLabClient({ url: gitlabUrl });
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

export type ConnectResult =
  | { ok: true; token: string; runnerId: number; registeredHere: boolean }
  | { ok: false; message: string };

export interface ConnectInput {
  gitlabUrl: string;
  relayUrl: string;
  executor: ExecutorChoice;
  systemId: string;
  /** `auth`: a runner authentication token; `registration`: a legacy registration token. */
  tokenKind: 'auth' | 'registration';
  token: string;
  /** Registration only. */
  description?: string;
  tags?: string[];
  runUntagged?: boolean;
  /** The Cancel button: aborts the call under way; nothing is saved. */
  signal?: AbortSignal;
}

function clientFor(gitlabUrl: string, relayUrl: string, fetchImpl?: typeof fetch): GitLabClient {
  return createGitLabClient({
    url: apiBaseUrl(gitlabUrl, relayUrl),
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
}

function infoFor(executor: ExecutorChoice, headersReadable: boolean): RunnerInfo {
  return runnerInfo({
    version: TABRUNNER_VERSION,
    revision: TABRUNNER_REVISION,
    executor,
    // Both executors interpret the job's lines in the stage shell (src/executors/bash).
    shell: 'bash',
    platform: 'browser',
    architecture: 'wasm',
    features: runnerFeatures({ headersReadable }),
  });
}

/**
 * Check the token before anything is saved (and, for a registration token, register a new
 * runner first). For `glrt-` tokens the verify call also creates this tab's runner manager.
 */
export async function connectRunner(input: ConnectInput): Promise<ConnectResult> {
  const urlProblem = checkGitLabUrl(input.gitlabUrl);
  if (urlProblem) return { ok: false, message: urlProblem };
  const client = clientFor(input.gitlabUrl, input.relayUrl);
  const info = infoFor(input.executor, false);
  let token = input.token.trim();
  let registeredHere = false;
  if (!token) return { ok: false, message: 'Paste a runner token.' };
  const target = { gitlabUrl: input.gitlabUrl, relayUrl: input.relayUrl };

  if (input.tokenKind === 'registration') {
    const registered = await bounded('Registering the runner', input.signal, (signal) =>
      registerRunner(client, {
        registrationToken: token,
        info,
        description: input.description?.trim() || 'tabrunner',
        tags: input.tags ?? [],
        runUntagged: input.runUntagged ?? true,
        locked: false,
        signal,
      }),
    );
    if ('aborted' in registered)
      return { ok: false, message: abortMessage(registered.aborted, target) };
    switch (registered.kind) {
      case 'registered':
        token = registered.token;
        registeredHere = true;
        break;
      case 'forbidden':
        return {
          ok: false,
          message:
            'GitLab does not accept this registration token (403). Copy it again from Settings › CI/CD › Runners.',
        };
      case 'gone':
        return {
          ok: false,
          message:
            'This GitLab no longer accepts registration tokens. Create a runner in GitLab (Settings › CI/CD › Runners › New runner) and paste its glrt- token.',
        };
      case 'failed':
        return { ok: false, message: failureMessage(registered, target) };
    }
  }

  const verified = await bounded('Verifying the token', input.signal, (signal) =>
    verifyRunner(client, { token, systemId: input.systemId, info, signal }),
  );
  if ('aborted' in verified) return { ok: false, message: abortMessage(verified.aborted, target) };
  switch (verified.kind) {
    case 'valid':
      return { ok: true, token, runnerId: verified.id, registeredHere };
    case 'forbidden':
      return {
        ok: false,
        message:
          'GitLab does not accept this runner token (403). Check that you copied the whole glrt-… token and that the runner still exists (Settings › CI/CD › Runners).',
      };
    case 'orphaned':
      return {
        ok: false,
        message: 'GitLab says this runner has no project or group left (422). Create a new runner.',
      };
    case 'failed':
      return { ok: false, message: failureMessage(verified, target) };
  }
}

/**
 * One call of the connect flow, given up after `CONNECT_TIMEOUT_MS` (a server that accepts and
 * never answers) or when the person cancels: `{ aborted: reason }` then, for `abortMessage`.
 */
async function bounded<T extends object>(
  what: string,
  cancel: AbortSignal | undefined,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T | { aborted: unknown }> {
  const limit = deadline(what, CONNECT_TIMEOUT_MS, cancel);
  try {
    return await call(limit.signal);
  } catch (err) {
    if (limit.signal.aborted) return { aborted: limit.signal.reason };
    throw err;
  } finally {
    limit.done();
  }
}

export interface BrowserRunnerOptions {
  connection: SavedConnection;
  settings: SavedSettings;
  systemId: string;
  /** Internal executor errors (WebContainer runtime), for the page to show. */
  onExecutorError?: (message: string) => void;
}

const KEY_NEEDS_RELOAD =
  'The new WebContainer API key takes effect when you reload the tab: StackBlitz accepts a key only before the first WebContainer starts.';

/** One tab's runner: start, stop, pause, and what to do when the tab closes. */
export class BrowserRunner {
  /** Every runner event of every run, in order. */
  readonly events = new Emitter<RunnerEvent>();
  readonly systemId: string;
  readonly connection: SavedConnection;
  readonly clock: WorkerClock;
  #settings: SavedSettings;
  #client: GitLabClient;
  #sourcesWorker: SourcesWorkerClient;
  #executor: Executor | null = null;
  /** The same executor when the connection runs WebContainer: it knows whether it booted. */
  #webContainer: WebContainerExecutor | null = null;
  /** An executor being released; the next one waits for it (a page has one WebContainer). */
  #disposing: Promise<void> = Promise.resolve();
  /** The API key changed before the container booted: the next start builds a new executor. */
  #replaceExecutor = false;
  #runner: Runner | null = null;
  #running: Promise<void> | null = null;
  #restartAfterStop = false;
  #onExecutorError: ((message: string) => void) | undefined;

  constructor(options: BrowserRunnerOptions) {
    this.connection = options.connection;
    this.systemId = options.systemId;
    this.#settings = options.settings;
    this.#onExecutorError = options.onExecutorError;
    this.clock = createWorkerClock();
    this.#client = createGitLabClient({
      url: apiBaseUrl(options.connection.gitlabUrl, options.connection.relayUrl),
      clock: this.clock,
      // Every request tells whether GitLab answers, trace PATCHes and job updates too: a
      // GitLab gone mid-job shows at once rather than at the next poll.
      fetch: observeContact(
        (input, init) => globalThis.fetch(input, init),
        (outcome) => this.events.emit({ type: 'contact', ...outcome }),
        () => this.clock.now(),
      ),
    });
    this.#sourcesWorker = new SourcesWorkerClient(
      new Worker(new URL('../sources/worker/worker.ts', import.meta.url), { type: 'module' }),
      { maxBytes: SOURCE_STORE_MAX_BYTES },
    );
  }

  get state(): RunnerState {
    return this.#runner?.state ?? 'stopped';
  }

  get counters(): Readonly<{ jobsRun: number; succeeded: number; failed: number }> {
    return this.#runner?.counters ?? { jobsRun: 0, succeeded: 0, failed: 0 };
  }

  /** Whether a run loop is active (polling, running, paused or stopping). */
  get active(): boolean {
    return this.#running !== null;
  }

  /** Whether a job is between acceptance and its final report. */
  get jobInFlight(): boolean {
    return this.#runner?.jobInFlight ?? false;
  }

  /** Where the runner's sleeps run: `worker` keeps its pace in a hidden tab. */
  get clockKind(): 'worker' | 'page' {
    return this.clock.kind;
  }

  /** Start polling (no-op when already running). Resolves once the loop has started. */
  async start(): Promise<void> {
    if (this.#running) return;
    const connection = this.connection;
    // Verify first, as the Go runner does at start: it also learns whether headers are readable.
    const info0 = infoFor(connection.executor, false);
    // Bounded as at connect: a GitLab that accepts and never answers must not hold the start.
    const verified = await bounded('verifying the runner', undefined, (signal) =>
      verifyRunner(this.#client, {
        token: connection.token,
        systemId: this.systemId,
        info: info0,
        signal,
      }),
    );
    if ('aborted' in verified || verified.kind !== 'valid') {
      const forbidden = !('aborted' in verified) && verified.kind === 'forbidden';
      const message =
        'aborted' in verified
          ? abortMessage(verified.aborted, connection)
          : verified.kind === 'failed'
            ? failureMessage(verified, connection)
            : verified.kind === 'forbidden'
              ? 'GitLab no longer knows this runner: it refused its token (403 Forbidden). The runner was deleted or its token reset, or GitLab itself was reset (`npm start -- --fresh` makes new tokens). Forget this runner and connect again with a valid runner token.'
              : 'GitLab says this runner has no project or group left (422). Forget it and create a new one.';
      this.events.emit({
        type: 'error',
        message,
        fatal: true,
        ...(forbidden ? { code: 'runner-token-refused' as const } : {}),
      });
      this.events.emit({ type: 'state', state: 'error' });
      return;
    }
    let executor: Executor;
    try {
      executor = await this.#ensureExecutor();
    } catch (err) {
      // The executor's code comes on demand: a dropped connection, or a new deployment whose
      // files replaced the ones this page was built with.
      this.events.emit({
        type: 'error',
        message: `The executor's code did not load (${(err as Error).message}). Reload the tab to try again.`,
        fatal: true,
      });
      this.events.emit({ type: 'state', state: 'error' });
      return;
    }
    const runner = new Runner({
      client: this.#client,
      executor,
      sources: this.#sources(),
      cache: (await tabCacheStore()).store,
      gitlabOrigin: new URL(connection.gitlabUrl).origin,
      clock: this.clock,
      token: connection.token,
      systemId: this.systemId,
      info: infoFor(connection.executor, this.#client.headersReadable === true),
      name: `tab ${this.systemId}`,
      checkIntervalSeconds: this.#settings.checkIntervalSeconds,
      outputLimit: this.#settings.outputLimit,
      executableArch: connection.executor === 'shell' ? 'browser/wasm' : 'webcontainer/wasm',
    });
    const off = runner.events.on((event) => this.events.emit(event));
    this.#runner = runner;
    const release = holdWakeLock(this.systemId);
    this.#running = runner
      .run()
      .then(
        () => undefined,
        (err: unknown) =>
          this.events.emit({
            type: 'error',
            message: `tabrunner bug: ${String(err)}`,
            fatal: true,
          }),
      )
      .finally(() => {
        off();
        release();
        this.#running = null;
        if (this.#restartAfterStop) {
          this.#restartAfterStop = false;
          void this.start();
        }
      });
  }

  /** `graceful`: finish the current job, then stop. `immediate`: fail it now and stop. */
  stop(mode: StopMode): void {
    this.#restartAfterStop = false;
    this.#runner?.stop(mode);
  }

  /** Resolves when the loop has ended (immediately when not running). */
  async stopped(): Promise<void> {
    await this.#running;
  }

  pause(): void {
    this.#runner?.pause();
  }

  resume(): void {
    this.#runner?.resume();
  }

  /**
   * New poll interval and output limit: applied now when idle, else after the current job. A new
   * WebContainer API key applies to a container not booted yet; StackBlitz takes the key only
   * before the page's first boot, so after it the key waits for a reload (and the page says so).
   */
  applySettings(settings: SavedSettings): void {
    const keyChanged = settings.webContainerApiKey !== this.#settings.webContainerApiKey;
    this.#settings = settings;
    if (keyChanged && this.#webContainer) {
      if (this.#webContainer.booted) {
        this.events.emit({ type: 'error', message: KEY_NEEDS_RELOAD, fatal: false });
      } else {
        // Not booted yet, or still booting: the restart below, or the next start, decides
        // (#ensureExecutor) instead of reusing the executor that holds the old key.
        this.#replaceExecutor = true;
      }
    }
    if (this.#running && this.#runner) {
      this.#restartAfterStop = true;
      this.#runner.stop('graceful');
    }
  }

  /**
   * The tab is going away with a job in flight: report it failed (`runner_system_failure`)
   * with a keep-alive request that outlives the page, and stop the runner. Call from `pagehide`.
   */
  failJobOnUnload(): void {
    this.#runner?.abandonJob();
  }

  /**
   * Unregister this tab from GitLab: its runner manager (`glrt-` tokens), or the whole runner
   * when this page registered it with a registration token. Stops the runner first.
   */
  async forget(): Promise<{ ok: true } | { ok: false; message: string }> {
    this.stop('immediate');
    await this.stopped();
    const { token, gitlabUrl, relayUrl, registeredHere } = this.connection;
    const result =
      registeredHere && !isAuthenticationToken(token)
        ? await unregisterRunner(this.#client, { token })
        : await unregisterManager(this.#client, { token, systemId: this.systemId });
    switch (result.kind) {
      case 'deleted':
      case 'not-found':
      case 'forbidden':
        // Already gone, or the token no longer works: either way nothing is left to remove.
        return { ok: true };
      case 'failed':
        return { ok: false, message: failureMessage(result, { gitlabUrl, relayUrl }) };
    }
  }

  /** What the git object store holds. */
  storeUsage(): Promise<StoreUsage> {
    return this.#sourcesWorker.usage();
  }

  /** Delete every stored project (the next job of each clones again). */
  async clearStore(): Promise<void> {
    const usage = await this.#sourcesWorker.usage();
    for (const project of usage.projects) await this.#sourcesWorker.remove(project.key);
  }

  dispose(): void {
    this.stop('immediate');
    this.#sourcesWorker.dispose();
    this.clock.dispose();
    void this.#executor?.dispose();
  }

  /** The executor for the next run; one replaced after a key change is released first. */
  async #ensureExecutor(): Promise<Executor> {
    if (this.#replaceExecutor && this.#webContainer?.booted) {
      // The boot under way when the key changed has finished with the old key, which StackBlitz
      // now keeps for this page.
      this.#replaceExecutor = false;
      this.events.emit({ type: 'error', message: KEY_NEEDS_RELOAD, fatal: false });
    }
    if (this.#replaceExecutor) {
      this.#replaceExecutor = false;
      const old = this.#executor;
      this.#executor = null;
      this.#webContainer = null;
      // A boot still under way finishes before the old instance is torn down, and the page can
      // hold one WebContainer: the new executor boots only after that.
      if (old) this.#disposing = old.dispose().catch(() => undefined);
    }
    // Loaded before the check below, which then runs without a pause: two starts racing still
    // share one executor.
    const create = await this.#executorFactory();
    await this.#disposing;
    this.#executor ??= create();
    return this.#executor;
  }

  /** How to make the connection's executor, its code fetched on first use. */
  async #executorFactory(): Promise<() => Executor> {
    if (this.connection.executor === 'shell') {
      const { createShellExecutor } = await import('../executors/shell/index.ts');
      return () => createShellExecutor({ clock: this.clock });
    }
    const { createWebContainerExecutor } = await import('../executors/webcontainer/index.ts');
    return () => {
      const webContainer = createWebContainerExecutor({
        ...(this.#settings.webContainerApiKey ? { apiKey: this.#settings.webContainerApiKey } : {}),
        clock: this.clock,
        ...(this.#onExecutorError ? { onError: this.#onExecutorError } : {}),
        // The container could not be replaced: no more jobs until the donor reloads.
        onBroken: (message) => {
          this.#runner?.pause();
          this.events.emit({ type: 'error', message, fatal: true });
        },
      });
      this.#webContainer = webContainer;
      return webContainer;
    };
  }

  #sources(): SourcesProvider {
    const worker = this.#sourcesWorker;
    const { relayUrl } = this.connection;
    const corsProxy = relayUrl.trim() ? `${relayUrl.trim().replace(/\/+$/, '')}/gitlab` : undefined;
    return async ({ payload, settings, projectDir, line, progress, signal }) => {
      const { tree } = await worker.getSources({
        ...sourcesRequest(payload, settings, projectDir),
        ...(corsProxy ? { corsProxy } : {}),
        onLine: (l) => line(l.kind, l.text),
        onProgress: progress,
        signal,
      });
      return { tree };
    };
  }
}
