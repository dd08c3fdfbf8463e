/**
 * The runner as the page shows it: state, last contact, counts and errors, fed by the events of
 * the tab's `BrowserRunner`; intents (start, pause, stop) are methods. One per page.
 */
import type { BrowserRunner, RunnerEvent, RunnerState } from '../../tab/browser-runner.ts';
import { ContactHealth } from '../../runner/contact-health.ts';
import { JobView } from './job-view.svelte.ts';

export type RunnerViewState = RunnerState | 'starting';

type RunnerErrorEvent = Extract<RunnerEvent, { type: 'error' }>;

export interface RunnerError {
  /** Stable key for the list: `at` alone repeats within a millisecond. */
  id: number;
  at: number;
  message: string;
  fatal: boolean;
  /** How many times in a row it was said: a repeat bumps this instead of adding a box. */
  count: number;
  code: RunnerErrorEvent['code'] | null;
}

/** Errors kept on screen; older ones scroll away. */
const MAX_ERRORS = 5;

export class RunnerView {
  state = $state<RunnerViewState>('stopped');
  /** When a request to GitLab last got an answer (any request, not only job requests). */
  lastContact = $state<number | null>(null);
  /** Since when no request got through; null while GitLab answers. */
  unreachableSince = $state<number | null>(null);
  /** What the latest failed request got instead of an answer, e.g. `502 Bad Gateway`. */
  contactProblem = $state<string | null>(null);
  jobsRun = $state(0);
  succeeded = $state(0);
  failed = $state(0);
  /** `graceful` once "stop after this job" was asked, until the loop ends. */
  stopping = $state<'graceful' | 'immediate' | null>(null);
  errors = $state.raw<RunnerError[]>([]);
  readonly job = new JobView();
  successRate = $derived(
    this.jobsRun === 0 ? null : Math.round((this.succeeded / this.jobsRun) * 100),
  );
  paused = $derived(this.state === 'paused');
  active = $derived(!['stopped', 'error'].includes(this.state));
  readonly runner: BrowserRunner;
  #contact = new ContactHealth();
  #nextErrorId = 1;
  #off: () => void;
  #onFinished: (event: Extract<RunnerEvent, { type: 'job-finished' }>, log: Uint8Array) => void;

  constructor(
    runner: BrowserRunner,
    onFinished: (event: Extract<RunnerEvent, { type: 'job-finished' }>, log: Uint8Array) => void,
  ) {
    this.runner = runner;
    this.#onFinished = onFinished;
    this.#off = runner.events.on((event) => this.#handle(event));
  }

  get systemId(): string {
    return this.runner.systemId;
  }

  async start(): Promise<void> {
    if (this.runner.active) return;
    this.state = 'starting';
    this.stopping = null;
    this.errors = this.errors.filter((e) => !e.fatal);
    await this.runner.start();
    if (this.state === 'starting') this.state = this.runner.active ? this.runner.state : 'stopped';
  }

  pause(): void {
    this.runner.pause();
  }

  resume(): void {
    this.runner.resume();
  }

  /** Finish the current job (if any), then stop asking for jobs. */
  stopAfterJob(): void {
    this.stopping = 'graceful';
    this.runner.stop('graceful');
  }

  /** Fail the current job as a runner system failure and stop now. */
  stopNow(): void {
    this.stopping = 'immediate';
    this.runner.stop('immediate');
  }

  dismissErrors(): void {
    this.errors = [];
  }

  dispose(): void {
    this.#off();
  }

  /** A message said again right after itself shows once, with a count, not as a second box. */
  #addError(event: RunnerErrorEvent): void {
    const last = this.errors.at(-1);
    if (last && last.message === event.message && last.fatal === event.fatal) {
      this.errors = [
        ...this.errors.slice(0, -1),
        { ...last, at: Date.now(), count: last.count + 1 },
      ];
      return;
    }
    this.errors = [
      ...this.errors.slice(-(MAX_ERRORS - 1)),
      {
        id: this.#nextErrorId++,
        at: Date.now(),
        message: event.message,
        fatal: event.fatal,
        count: 1,
        code: event.code ?? null,
      },
    ];
  }

  #handle(event: RunnerEvent): void {
    this.job.handle(event);
    switch (event.type) {
      case 'state':
        this.state = event.state;
        if (event.state === 'stopped' || event.state === 'error') this.stopping = null;
        break;
      case 'contact': {
        const status = this.#contact.record(event);
        this.lastContact = status.lastContactAt;
        this.unreachableSince = status.unreachableSince;
        this.contactProblem = status.lastProblem;
        break;
      }
      case 'error':
        this.#addError(event);
        break;
      case 'job-finished':
        this.jobsRun += 1;
        if (event.result === 'success') this.succeeded += 1;
        else this.failed += 1;
        this.#onFinished(event, this.job.log());
        break;
      default:
        break;
    }
  }
}
