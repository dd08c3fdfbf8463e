/**
 * The runner: asks GitLab for jobs and runs them one at a time, telling listeners what happens.
 * It owns the poll loop, health (stop asking after repeated 403s) and stopping; one job's
 * lifecycle is `JobRun`'s. Runs unchanged in Node (CLI, tests) and in the tab.
 */
import type { CacheStore } from '../cache/index.ts';
import type { Executor, ExecutorInfo } from '../executors/port.ts';
import {
  requestJob,
  type GitLabClient,
  type RequestJobResult,
  type RunnerInfo,
} from '../gitlab/index.ts';
import type { Clock } from '../platform/clock.ts';
import { Emitter } from './emitter.ts';
import type { RunnerEvent, RunnerState } from './events.ts';
import { nextPoll, type PollDecision } from './poll-policy.ts';
import { JobRun } from './job-run.ts';
import { sendLastWords } from './job-run/last-words.ts';
import type { Archiving, LastWords, SourcesProvider } from './job-run/options.ts';
import type { JobReport } from './job-run/report.ts';

export interface RunnerOptions {
  client: GitLabClient;
  executor: Executor;
  sources: SourcesProvider;
  /** Where GitLab's `cache:` archives are kept between jobs (docs/cache.md). */
  cache: CacheStore;
  /**
   * GitLab's origin (`https://gitlab.example.com`), which names caches in the store: the
   * client's URL may be a relay's, and two GitLab instances must never share a key.
   */
  gitlabOrigin: string;
  /**
   * How archives are made and held: node:zlib's deflater and a temporary-file spool in the CLI.
   * @default fflate's deflater, the archive held as a `Blob`
   */
  archiving?: Archiving;
  clock: Clock;
  /** Time written into traces (section markers, timestamps). Default `clock`; tests freeze it. */
  traceClock?: Clock;
  /** The runner authentication token (`glrt-…` or legacy). */
  token: string;
  /** This runner manager's `system_id` (`r_` + 12 alphanumerics), persisted by the caller. */
  systemId: string;
  info: RunnerInfo;
  /** Name shown in the trace header ("on <name> <short token>"). */
  name: string;
  /**
   * Use long polling when GitLab's `X-GitLab-Last-Update` is readable (docs/runner-protocol.md §3.3). Default true; the
   * tab turns it off when it talks to GitLab without a relay (the header is hidden, docs/runner-protocol.md §14).
   */
  longPolling?: boolean;
  /** Seconds between polls when GitLab cannot hold the request. Default 3 (the Go runner's). */
  checkIntervalSeconds?: number;
  /** Job log limit in bytes. Default 4 MiB (docs/runner-protocol.md §6.6). */
  outputLimit?: number;
  /** `<os>/<arch>` for `CI_RUNNER_EXECUTABLE_ARCH`. */
  executableArch: string;
  /** Consecutive 403s before the runner stops asking. Default 3 (`unhealthy_requests_limit`). */
  unhealthyLimit?: number;
  random?: () => number;
}

export type StopMode = 'graceful' | 'immediate';

export class Runner {
  readonly events = new Emitter<RunnerEvent>();
  #options: RunnerOptions;
  #state: RunnerState = 'idle';
  #stopRequested: StopMode | null = null;
  #paused = false;
  #pollAbort: AbortController | null = null;
  #jobAbort: AbortController | null = null;
  /** The job between pickup and its final report, for `abandonJob`. */
  #current: { id: number; token: string; failureReasons: string[] } | null = null;
  /** The current job's last words, once GitLab accepted it and its trace is being sent. */
  #lastWords: LastWords | null = null;
  #wake: (() => void) | null = null;
  #counters = { jobsRun: 0, succeeded: 0, failed: 0 };

  constructor(options: RunnerOptions) {
    this.#options = options;
  }

  get state(): RunnerState {
    return this.#state;
  }

  get counters(): Readonly<{ jobsRun: number; succeeded: number; failed: number }> {
    return this.#counters;
  }

  /**
   * Poll and run jobs until stopped. With `once`, return after the first job has been run and
   * reported. Resolves with the outcomes of the jobs it ran.
   */
  async run({ once = false }: { once?: boolean } = {}): Promise<{
    outcomes: JobReport[];
    reason: string;
  }> {
    const o = this.#options;
    const outcomes: JobReport[] = [];
    let lastUpdate: string | null = null;
    let forbidden = 0;
    this.#stopRequested = null;
    const policy = {
      checkIntervalMs: (o.checkIntervalSeconds ?? 3) * 1000,
      jitter: 0.2,
      random: o.random ?? Math.random,
    };

    while (this.#stopRequested === null) {
      if (this.#paused) {
        this.#setState('paused');
        await new Promise<void>((resolve) => (this.#wake = resolve));
        continue;
      }
      // Take no job the executor cannot run. Asked before every request, so the job gets the
      // sandbox's answer without waiting for it (adapters keep it: only the first call starts
      // the sandbox), and a sandbox that stopped working since takes no more jobs. Either way
      // it is the donor's to fix (reload the tab, or choose another executor).
      let executorInfo: ExecutorInfo;
      try {
        executorInfo = await o.executor.describe();
      } catch (err) {
        const reason = `The ${o.executor.name} executor cannot start: ${err instanceof Error ? err.message : String(err)}`;
        this.events.emit({ type: 'error', message: reason, fatal: true });
        this.#setState('error');
        return { outcomes, reason };
      }
      // Starting the sandbox can take a while: the donor may have stopped or paused meanwhile.
      if (this.#stopRequested !== null) break;
      if (this.#paused) continue;
      this.#setState('polling');
      this.#pollAbort = new AbortController();
      // Long polling needs X-GitLab-Last-Update; unreadable or unknown headers mean short polls (docs/runner-protocol.md §14).
      const longPolling = o.longPolling !== false && o.client.headersReadable === true;
      const sentLastUpdate = longPolling ? lastUpdate : null;
      const answer = await requestJob(o.client, {
        token: o.token,
        systemId: o.systemId,
        info: o.info,
        lastUpdate: sentLastUpdate,
        signal: this.#pollAbort.signal,
      }).catch((err: unknown) => {
        // Only an aborted signal rejects: the runner is stopping or pausing.
        if (this.#pollAbort?.signal.aborted) return null;
        throw err;
      });
      this.#pollAbort = null;
      if (answer === null) continue;
      if (this.#stopRequested !== null) break;
      // Contact with GitLab is not judged here but from every request, job updates and trace
      // included, by whoever gives the client its fetch (contact-health.ts).

      let decision: PollDecision = { delayMs: 0, lastUpdate };
      switch (answer.kind) {
        case 'job': {
          forbidden = 0;
          const outcome = await this.#runOne(answer, executorInfo);
          if (outcome) outcomes.push(outcome);
          decision = nextPoll({ kind: 'job' }, answer.lastUpdate ?? lastUpdate, policy);
          // A job GitLab took back before it started does not count: keep asking.
          if (once && outcome && !outcome.dropped) return { outcomes, reason: 'ran one job' };
          break;
        }
        case 'no-job':
          forbidden = 0;
          decision = nextPoll(
            // Readability is known once GitLab answered: the first answer may enable long polling.
            {
              kind: 'no-job',
              longPolling: o.longPolling !== false && o.client.headersReadable === true,
              sentLastUpdate,
              lastUpdate: answer.lastUpdate,
            },
            lastUpdate,
            policy,
          );
          break;
        case 'forbidden': {
          forbidden += 1;
          if (forbidden >= (o.unhealthyLimit ?? 3)) {
            // Said as GitLab's loss of the runner, not as a network problem: asking again cannot
            // help, only a token GitLab knows can (a restarted sandbox hands out new ones).
            const reason =
              `GitLab no longer knows this runner: it refused this runner's token ${forbidden} times in a row ` +
              '(403 Forbidden), so the runner stopped asking for jobs. The runner was deleted or its token ' +
              'reset, or GitLab itself was reset (`npm start -- --fresh` makes new tokens). ' +
              'Connect again with a valid runner token.';
            this.events.emit({
              type: 'error',
              message: reason,
              fatal: true,
              code: 'runner-token-refused',
            });
            this.#setState('error');
            return { outcomes, reason };
          }
          this.events.emit({
            type: 'error',
            message:
              "GitLab refused this runner's token (403 Forbidden) when asking for a job; asking again.",
            fatal: false,
            code: 'runner-token-refused',
          });
          decision = nextPoll({ kind: 'failed' }, lastUpdate, policy);
          break;
        }
        case 'conflict':
          decision = nextPoll({ kind: 'conflict' }, lastUpdate, policy);
          break;
        case 'failed':
          this.events.emit({ type: 'error', message: answer.message, fatal: false });
          decision = nextPoll({ kind: 'failed' }, lastUpdate, policy);
          break;
      }
      lastUpdate = decision.lastUpdate;
      if (decision.delayMs > 0 && this.#stopRequested === null) {
        this.#pollAbort = new AbortController();
        await o.clock.sleep(decision.delayMs, this.#pollAbort.signal).catch(() => undefined);
        this.#pollAbort = null;
      }
    }
    this.#setState('stopped');
    return { outcomes, reason: this.#stopRequested === 'immediate' ? 'stopped now' : 'stopped' };
  }

  /**
   * Stop asking for jobs. `graceful` lets the current job finish; `immediate` fails it as
   * `runner_system_failure` and reports it before returning.
   */
  stop(mode: StopMode = 'graceful'): void {
    this.#stopRequested = mode;
    if (this.#state === 'running') this.#setState('stopping');
    this.#pollAbort?.abort(new Error('runner stopping'));
    if (mode === 'immediate') this.#jobAbort?.abort(new Error('runner stopped'));
    this.#wake?.();
  }

  /** Whether a job is between pickup and its final report. */
  get jobInFlight(): boolean {
    return this.#current !== null;
  }

  /**
   * The host is going away (the tab closes) with a job in flight: close its trace, send what
   * GitLab lacks of it and report the job failed as `runner_system_failure`, in requests that
   * outlive the page (keepalive, docs/runner-protocol.md §7.6), then stop at once.
   * Synchronous on purpose: a `pagehide` handler cannot wait.
   */
  abandonJob(): void {
    const job = this.#current;
    if (job) {
      const o = this.#options;
      sendLastWords({ client: o.client, info: o.info, job, unsent: this.#lastWords?.() ?? null });
      this.#current = null;
      this.#lastWords = null;
    }
    this.stop('immediate');
  }

  /** Stop asking for new jobs until `resume()`; a running job continues. */
  pause(): void {
    this.#paused = true;
    this.#pollAbort?.abort(new Error('runner paused'));
  }

  resume(): void {
    this.#paused = false;
    this.#wake?.();
    this.#wake = null;
  }

  async #runOne(answer: Extract<RequestJobResult, { kind: 'job' }>, executorInfo: ExecutorInfo) {
    const o = this.#options;
    this.#jobAbort = new AbortController();
    const parsed = answer.job;
    this.#current = parsed.ok
      ? {
          id: parsed.job.id,
          token: parsed.job.token,
          failureReasons: parsed.job.features.failure_reasons,
        }
      : parsed.job && { id: parsed.job.id, token: parsed.job.token, failureReasons: [] };
    this.#setState('running');
    try {
      const outcome = await JobRun.run({
        client: o.client,
        executor: o.executor,
        executorInfo,
        sources: o.sources,
        cache: o.cache,
        gitlabOrigin: o.gitlabOrigin,
        archiving: o.archiving,
        clock: o.clock,
        traceClock: o.traceClock,
        info: o.info,
        runner: { name: o.name, token: o.token, systemId: o.systemId },
        executableArch: o.executableArch,
        outputLimit: o.outputLimit ?? 4 * 1024 * 1024,
        parsed: answer.job,
        signal: this.#jobAbort.signal,
        events: this.events,
        onStarted: (lastWords) => (this.#lastWords = lastWords),
      });
      this.#counters.jobsRun += 1;
      if (outcome.result === 'success') this.#counters.succeeded += 1;
      else this.#counters.failed += 1;
      return outcome;
    } catch (err) {
      // JobRun reports every expected failure itself; reaching here is a bug, so say so loudly.
      this.events.emit({
        type: 'error',
        message: `tabrunner bug while running a job: ${String(err)}`,
        fatal: false,
      });
      return null;
    } finally {
      this.#jobAbort = null;
      this.#current = null;
      this.#lastWords = null;
    }
  }

  #setState(state: RunnerState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.events.emit({ type: 'state', state });
  }
}
