/**
 * The page's top-level state: which screen shows (connect or runner), the saved connection and
 * settings, the tab's runner and its views. Components read it and call its methods; the
 * browser composition lives in src/tab.
 */
import {
  DEFAULT_SETTINGS,
  openAppStore,
  type AppStore,
  type ExecutorChoice,
  type SavedConnection,
  type SavedSettings,
} from '../../tab/app-store.ts';
import {
  BrowserRunner,
  connectRunner,
  maskToken,
  type ConnectInput,
  type RunnerEvent,
} from '../../tab/browser-runner.ts';
import { markRunningInThisTab, tabSystemId, wasRunningInThisTab } from '../../tab/tab-identity.ts';
import { HistoryView } from './history-view.svelte.ts';
import { RunnerView } from './runner-view.svelte.ts';

/** What `npm start` publishes at `/sandbox.json` (absent in production). */
export interface SandboxOffer {
  gitlabUrl: string;
  /** The shell runner's token: it takes the untagged jobs. */
  token: string;
  projectUrl: string;
  /** The `node`-tagged runner's token, for a tab with the WebContainer executor. */
  webContainerToken: string | null;
  /** The sample pipeline's jobs the shell runner cannot take, and their tags. */
  waiting: { name: string; tags: string[] }[];
}

/** Connection fields a share link may carry (never a token). */
export interface Prefill {
  gitlabUrl: string;
  relayUrl: string;
  executor: ExecutorChoice;
}

export type Screen = 'loading' | 'connect' | 'runner';

export class AppView {
  screen = $state<Screen>('loading');
  /** The saved connection without its token, for display. */
  connection = $state.raw<Omit<SavedConnection, 'token'> | null>(null);
  maskedToken = $state('');
  settings = $state.raw<SavedSettings | null>(null);
  sandbox = $state.raw<SandboxOffer | null>(null);
  runnerView = $state.raw<RunnerView | null>(null);
  history = $state.raw<HistoryView | null>(null);
  connecting = $state(false);
  connectError = $state<string | null>(null);
  readonly systemId = tabSystemId();
  readonly prefill: Prefill;
  #store: AppStore | null = null;
  #runner: BrowserRunner | null = null;
  /** The page is being unloaded: its runner stops, but this tab should resume after a reload. */
  #leaving = false;

  constructor(location: { origin: string; search: string }) {
    // Read once at startup; nothing reacts to it.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const params = new URLSearchParams(location.search);
    const executor = params.get('executor');
    this.prefill = {
      gitlabUrl: params.get('gitlab') ?? '',
      relayUrl: params.get('relay') ?? location.origin,
      executor: executor === 'webcontainer' ? 'webcontainer' : 'shell',
    };
  }

  /** Open the store, find a saved runner (resume it if this tab ran it), look for a sandbox. */
  async load(): Promise<void> {
    const store = await openAppStore();
    this.#store = store;
    this.settings = await store.settings();
    const history = new HistoryView(store);
    await history.load();
    this.history = history;
    void this.#findSandbox();
    const saved = await store.connection();
    if (saved) {
      this.#useConnection(saved);
      if (wasRunningInThisTab()) void this.start();
    } else {
      this.screen = 'connect';
    }
  }

  async connect(input: Omit<ConnectInput, 'systemId'>): Promise<void> {
    if (!this.#store || this.connecting) return;
    this.connecting = true;
    this.connectError = null;
    try {
      const result = await connectRunner({ ...input, systemId: this.systemId });
      if (!result.ok) {
        this.connectError = result.message;
        return;
      }
      const saved: SavedConnection = {
        gitlabUrl: input.gitlabUrl.trim().replace(/\/+$/, ''),
        relayUrl: input.relayUrl.trim().replace(/\/+$/, ''),
        executor: input.executor,
        token: result.token,
        runnerId: result.runnerId,
        registeredHere: result.registeredHere,
      };
      await this.#store.saveConnection(saved);
      this.#useConnection(saved);
      await this.start();
    } catch (err) {
      this.connectError = `Could not connect: ${(err as Error).message}`;
    } finally {
      this.connecting = false;
    }
  }

  /**
   * One click for the `npm start` sandbox: its emulator and this page's relay, as the shell
   * runner (untagged jobs) or the WebContainer runner (the `node` jobs).
   */
  connectSandbox(origin: string, executor: ExecutorChoice = 'shell'): Promise<void> {
    const offer = this.sandbox;
    const token = executor === 'shell' ? offer?.token : offer?.webContainerToken;
    if (!offer || !token) return Promise.resolve();
    return this.connect({
      gitlabUrl: offer.gitlabUrl,
      relayUrl: origin,
      executor,
      tokenKind: 'auth',
      token,
    });
  }

  /** Sandbox jobs this tab's runner will never take: it runs the shell executor there. */
  get sandboxJobsElsewhere(): { name: string; tags: string[] }[] {
    const offer = this.sandbox;
    const connection = this.connection;
    if (!offer || !connection || connection.executor !== 'shell') return [];
    return connection.gitlabUrl === offer.gitlabUrl ? offer.waiting : [];
  }

  async start(): Promise<void> {
    markRunningInThisTab(true);
    await this.runnerView?.start();
  }

  /** Stop now, unregister this tab's runner manager, and forget the token. */
  async forget(): Promise<string | null> {
    const runner = this.#runner;
    if (runner) {
      const result = await runner.forget();
      if (!result.ok) return result.message;
    }
    markRunningInThisTab(false);
    await this.#store?.forgetConnection();
    this.#teardown();
    this.connection = null;
    this.maskedToken = '';
    this.screen = 'connect';
    return null;
  }

  async saveSettings(settings: SavedSettings): Promise<void> {
    await this.#store?.saveSettings(settings);
    this.settings = settings;
    this.#runner?.applySettings(settings);
  }

  /** Ask the browser to warn before closing while a job runs. */
  shouldWarnOnClose(): boolean {
    return this.#runner?.jobInFlight ?? false;
  }

  /** The page is going away: fail the job in flight (keep-alive request) and stop. */
  pageHidden(): void {
    this.#leaving = true;
    this.#runner?.failJobOnUnload();
  }

  /** Back from the back/forward cache: resume if this tab was running. */
  pageShown(persisted: boolean): void {
    if (!persisted) return;
    this.#leaving = false;
    if (wasRunningInThisTab()) void this.start();
  }

  storeUsage() {
    return this.#runner?.storeUsage() ?? Promise.resolve(null);
  }

  clearStore(): Promise<void> {
    return this.#runner?.clearStore() ?? Promise.resolve();
  }

  #useConnection(saved: SavedConnection): void {
    this.#teardown();
    const { token, ...shown } = saved;
    this.connection = shown;
    this.maskedToken = maskToken(token);
    const runner = new BrowserRunner({
      connection: saved,
      settings: this.settings ?? DEFAULT_SETTINGS,
      systemId: this.systemId,
    });
    this.#runner = runner;
    this.runnerView = new RunnerView(runner, (event, log) => void this.#record(event, log));
    runner.events.on((event) => {
      if (event.type === 'state' && event.state === 'stopped' && !this.#leaving)
        markRunningInThisTab(false);
      if (event.type === 'state' && event.state === 'polling') markRunningInThisTab(true);
    });
    this.screen = 'runner';
  }

  #teardown(): void {
    this.runnerView?.dispose();
    this.#runner?.dispose();
    this.#runner = null;
    this.runnerView = null;
  }

  async #record(
    event: Extract<RunnerEvent, { type: 'job-finished' }>,
    log: Uint8Array,
  ): Promise<void> {
    const connection = this.connection;
    if (!connection || !this.history) return;
    await this.history.add({
      key: `${connection.gitlabUrl}#${event.job.id}`,
      jobId: event.job.id,
      name: event.job.name,
      stage: event.job.stage,
      projectPath: event.job.projectPath,
      pipelineId: event.job.pipelineId,
      url: event.job.url,
      result: event.result,
      failureReason: event.failureReason,
      startedAt: event.startedAt,
      finishedAt: event.finishedAt,
      stages: event.stages,
      reported: event.reported,
      systemId: this.systemId,
      log,
      logBytes: log.length,
    });
  }

  async #findSandbox(): Promise<void> {
    try {
      const response = await fetch('/sandbox.json', { cache: 'no-store' });
      if (!response.ok) return;
      const body = (await response.json()) as Partial<SandboxOffer>;
      if (typeof body.gitlabUrl === 'string' && typeof body.token === 'string') {
        this.sandbox = {
          gitlabUrl: body.gitlabUrl,
          token: body.token,
          projectUrl: body.projectUrl ?? body.gitlabUrl,
          webContainerToken:
            typeof body.webContainerToken === 'string' ? body.webContainerToken : null,
          waiting: Array.isArray(body.waiting)
            ? body.waiting.filter(
                (job): job is { name: string; tags: string[] } =>
                  typeof job?.name === 'string' &&
                  Array.isArray(job.tags) &&
                  job.tags.every((tag) => typeof tag === 'string'),
              )
            : [],
        };
      }
    } catch {
      // No sandbox: a production deployment.
    }
  }
}
