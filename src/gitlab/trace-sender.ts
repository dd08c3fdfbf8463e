/**
 * Sends one job's trace to GitLab and reports its final state (docs/runner-protocol.md §5–§7):
 * incremental `PATCH`es with one request in flight, keep-alive `PUT`s after silence, `Job-Status`
 * handling, and the final update algorithm of docs/runner-protocol.md §7.4. It knows only the `TraceSource` API (bytes,
 * length, checksum), never how the trace is produced.
 *
 * Offset accounting (no byte lost or doubled). GitLab appends a PATCH only when its start equals
 * the stored length, so a PATCH at a wrong offset writes nothing (416). The sender keeps the set
 * of lengths the server may hold: normally one (the acknowledged offset). A PATCH whose outcome
 * is unknown (network error, 408, 5xx: it may have been applied while its answer was lost) adds
 * `start + length` to the set. PATCHes go out at the smallest candidate that still has bytes
 * after it: 202 proves that candidate (the set shrinks to its end), 416 with `Range` gives the
 * answer, and 416 without a readable `Range` (CORS, docs/runner-protocol.md §14.1) rules that candidate out. A candidate
 * equal to the whole trace is never probed (nothing to send from it); it is adopted once every
 * other one is ruled out. Only when 416s contradict every candidate several times in a row is
 * the offset declared lost: `onTraceLost` fires, no more trace is sent, and `finish()` reports
 * `traceComplete: false` so the runner can fail the job clearly.
 */
import type { Clock } from '../platform/clock.ts';
import type { GitLabClient } from './client.ts';
import { GitLabClientUsageError } from './errors.ts';
import { MAX_TRACE_PATCH_SIZE, patchTrace, type PatchTraceResult } from './patch-trace.ts';
import { RequestRateLimit } from './request-rate-limit.ts';
import { TraceOffset } from './trace-offset.ts';
import { MAX_UPDATE_INTERVAL_MS } from './response.ts';
import type { RunnerInfo } from './runner-info.ts';
import { updateJob, type TraceSummary, type UpdateJobResult } from './update-job.ts';

/** What the sender reads; `src/job`'s `TraceBuffer` implements it. */
export interface TraceSource {
  /** Bytes written so far (they never change once written). */
  readonly length: number;
  /** Up to `max` bytes from `offset` (fewer at the end). */
  read(offset: number, max: number): Uint8Array;
  /** `crc32:` + 8 lowercase hex digits over all bytes so far (docs/runner-protocol.md §6.6). */
  checksum(): string;
}

/** Why GitLab no longer wants this job: `Job-Status` `canceled`/`failed`, or 403/404. */
export type AbortReason = 'canceled' | 'failed' | 'forbidden' | 'not-found';

export interface TraceSenderOptions {
  client: GitLabClient;
  jobId: number;
  jobToken: string;
  source: TraceSource;
  clock: Clock;
  info: RunnerInfo;
  /** `debug_trace=true` on every PATCH. @default false */
  debugTrace?: boolean;
  /** Every new `Job-Status` value seen. */
  onJobStatus?: (status: string) => void;
  /** `Job-Status: canceling`: stop the script, run after_script, then `finish` (docs/runner-protocol.md §6.4). Once. */
  onCancelRequested?: () => void;
  /** Stop everything at once, no after_script (docs/runner-protocol.md §6.4); `finish` still reports. Once. */
  onAbort?: (reason: AbortReason) => void;
  /** The server's trace offset cannot be known (see the module comment). Once. */
  onTraceLost?: (message: string) => void;
  /** Least time between two PATCHes while output flows. @default 1000 */
  liveIntervalMs?: number;
  /** Keep-alive `PUT` after this long without a successful PATCH/PUT (docs/runner-protocol.md §6.5). @default 30000 */
  forceSendIntervalMs?: number;
  /** @default 1 MiB */
  maxPatchSize?: number;
  /** Requests (retries included) per sliding minute; GitLab.com allows 200 per job. @default 200 */
  maxRequestsPerMinute?: number;
  /** Outer attempts of the final update (docs/runner-protocol.md §7.4). @default 10 */
  finalUpdateAttempts?: number;
  /** 416s contradicting every known offset before the offset is declared lost. @default 5 */
  maxUnexplainedMismatches?: number;
}

export interface FinishOptions {
  state: 'success' | 'failed';
  /** Mapped failure reason, with `failed` (docs/runner-protocol.md §12.3). */
  failureReason?: string;
  /** The script's exit code, with `failed`. */
  exitCode?: number;
}

export type FinishOutcome =
  /** 200: GitLab applied the final state (`jobStatus` may be `failed` or `canceled`). */
  | {
      kind: 'accepted';
      jobStatus: string | null;
      traceComplete: boolean;
      traceProblem: string | null;
    }
  /**
   * 403, 404 or `Job-Status: canceled|failed`: GitLab no longer takes updates for this job
   * (cancelled, or an earlier final update already landed and its answer was lost).
   */
  | {
      kind: 'aborted';
      reason: AbortReason;
      jobStatus: string | null;
      traceComplete: boolean;
      traceProblem: string | null;
    }
  /** Every attempt failed; `message` is the last failure. */
  | {
      kind: 'gave-up';
      attempts: number;
      message: string;
      traceComplete: boolean;
      traceProblem: string | null;
    };

/** The loop period before the server says otherwise, and before the final update (docs/runner-protocol.md §6.5). */
export const DEFAULT_UPDATE_INTERVAL_MS = 3000;
const MINUTE_MS = 60_000;
/** A bound on 202 / 412 / 416 rounds in the final update; GitLab stops answering 202 after 5 min. */
const MAX_FINAL_ROUNDS = 500;
const FINAL_BACKOFF_MAX_MS = 60 * MINUTE_MS;

type Callback = 'onJobStatus' | 'onCancelRequested' | 'onAbort' | 'onTraceLost';

type PatchStep = 'accepted' | 'range-mismatch' | 'stop' | 'failed' | 'nothing';

export class TraceSender {
  readonly #o: TraceSenderOptions & Required<Omit<TraceSenderOptions, Callback>>;

  readonly #offset: TraceOffset;
  #stoppedByServer = false;
  #aborted: AbortReason | null = null;
  #cancelRequested = false;
  #lastJobStatus: string | null = null;

  #intervalMs = DEFAULT_UPDATE_INTERVAL_MS;
  #lastContactAt = 0;
  #lastPatchAt = Number.NEGATIVE_INFINITY;
  #lastPatchFull = false;
  /** `start + length` of the PATCH awaiting its answer (retries included), else `null`. */
  #inFlightEnd: number | null = null;
  #retryNotBefore = 0;
  #failures = 0;
  readonly #rateLimit: RequestRateLimit;

  #state: 'new' | 'running' | 'stopped' | 'finishing' | 'finished' = 'new';
  #loop: Promise<void> | null = null;
  #wake: AbortController | null = null;

  constructor(options: TraceSenderOptions) {
    this.#o = {
      ...options,
      debugTrace: options.debugTrace ?? false,
      liveIntervalMs: options.liveIntervalMs ?? 1000,
      forceSendIntervalMs: options.forceSendIntervalMs ?? 30_000,
      maxPatchSize: Math.min(options.maxPatchSize ?? MAX_TRACE_PATCH_SIZE, MAX_TRACE_PATCH_SIZE),
      maxRequestsPerMinute: options.maxRequestsPerMinute ?? 200,
      finalUpdateAttempts: options.finalUpdateAttempts ?? 10,
      maxUnexplainedMismatches: options.maxUnexplainedMismatches ?? 5,
    };
    this.#rateLimit = new RequestRateLimit(this.#o.maxRequestsPerMinute);
    this.#offset = new TraceOffset(this.#o.maxUnexplainedMismatches);
    this.#lastContactAt = options.clock.now();
  }

  /** Bytes GitLab certainly holds, or `null` while that is uncertain. */
  get sentOffset(): number | null {
    return this.#offset.known;
  }

  /**
   * Where GitLab's copy of the trace most likely ends, for a last PATCH that cannot wait for an
   * answer (a closing tab, docs/runner-protocol.md §7.6); `null` once GitLab takes no more trace
   * or the offset is lost. A PATCH in flight most likely lands (it left first, and a request
   * already on the wire is processed even if its page goes away), so its end wins. Otherwise,
   * while a failed PATCH leaves the length in doubt, the smallest candidate: the one the sender
   * would probe next, since a failed request most often never reached GitLab (offline, relay
   * down, a 5xx that rolled back) and one applied with its answer lost is the rarer case.
   */
  get likelyServerLength(): number | null {
    if (this.#stoppedByServer || this.#offset.lost) return null;
    const length = this.#o.source.length;
    return this.#inFlightEnd ?? this.#offset.nextStart(length) ?? length;
  }

  /** The update interval in force (server's `X-GitLab-Trace-Update-Interval`, else 3 s). */
  get updateIntervalMs(): number {
    return this.#intervalMs;
  }

  /** Set once GitLab said stop (403, 404 on PUT, `Job-Status: canceled|failed`). */
  get abortReason(): AbortReason | null {
    return this.#aborted;
  }

  /** Start the incremental loop. */
  start(): void {
    if (this.#state !== 'new') throw new GitLabClientUsageError('TraceSender.start() called twice');
    this.#state = 'running';
    this.#lastContactAt = this.#o.clock.now();
    this.#loop = this.#run();
  }

  /** New bytes are in the source: they go out within `liveIntervalMs`. */
  notify(): void {
    this.#wake?.abort();
  }

  /** Stop the incremental loop (waits for a request in flight); no final update. */
  async stop(): Promise<void> {
    if (this.#state === 'running') this.#state = 'stopped';
    this.#wake?.abort();
    await this.#loop;
  }

  /**
   * The final update (docs/runner-protocol.md §7.4): stop the loop, PATCH until every byte is acknowledged, PUT the
   * final state; 202 → wait the interval and repeat; 412 → resend the trace from 0; failures →
   * retry with backoff (1 s × 2ⁿ, capped at 60 min), up to `finalUpdateAttempts` attempts.
   */
  async finish(options: FinishOptions): Promise<FinishOutcome> {
    if (this.#state === 'finishing' || this.#state === 'finished') {
      throw new GitLabClientUsageError('TraceSender.finish() called twice');
    }
    await this.stop();
    this.#state = 'finishing';
    this.#intervalMs = DEFAULT_UPDATE_INTERVAL_MS;
    try {
      return await this.#finalUpdate(options);
    } finally {
      this.#state = 'finished';
    }
  }

  async #finalUpdate(options: FinishOptions): Promise<FinishOutcome> {
    const { clock } = this.#o;
    let failures = 0;
    let message = '';
    for (let round = 0; round < MAX_FINAL_ROUNDS; round++) {
      let failed = false;
      const flushed = await this.#flush();
      if (flushed === 'failed') {
        failed = true;
        message = this.#lastFailure;
      } else {
        await this.#rateLimit.take(this.#o.clock);
        const result = await updateJob(this.#o.client, {
          jobId: this.#o.jobId,
          jobToken: this.#o.jobToken,
          info: this.#o.info,
          state: options.state,
          failureReason: options.state === 'failed' ? options.failureReason : undefined,
          exitCode: options.state === 'failed' ? options.exitCode : undefined,
          output: this.#summary(),
        });
        this.#noteResponse(result);
        if (result.jobStatus) this.#seeJobStatus(result.jobStatus, false);
        switch (result.kind) {
          case 'succeeded':
            return { kind: 'accepted', jobStatus: result.jobStatus, ...this.#traceState() };
          case 'aborted':
            if (result.status === 200) {
              // Applied; GitLab just says the job is now failed or canceled (docs/runner-protocol.md §7.3).
              return { kind: 'accepted', jobStatus: result.jobStatus, ...this.#traceState() };
            }
            return {
              kind: 'aborted',
              reason: result.reason,
              jobStatus: result.jobStatus,
              ...this.#traceState(),
            };
          case 'accepted':
            await clock.sleep(this.#intervalMs);
            continue;
          case 'trace-validation-failed':
            this.#offset.restart();
            this.#stoppedByServer = false;
            await clock.sleep(this.#intervalMs);
            continue;
          case 'failed':
            failed = true;
            message = result.message;
            await clock.sleep(this.#intervalMs);
        }
      }
      if (failed) {
        failures++;
        if (failures >= this.#o.finalUpdateAttempts) {
          return { kind: 'gave-up', attempts: failures, message, ...this.#traceState() };
        }
        await clock.sleep(Math.min(FINAL_BACKOFF_MAX_MS, 1000 * 2 ** (failures - 1)));
      }
    }
    return {
      kind: 'gave-up',
      attempts: failures,
      message: `GitLab did not complete the final update after ${MAX_FINAL_ROUNDS} rounds`,
      ...this.#traceState(),
    };
  }

  #lastFailure = '';

  /** PATCH until every byte is acknowledged (docs/runner-protocol.md §7.4 a). */
  async #flush(): Promise<'done' | 'failed'> {
    while (this.#hasTraceToSend()) {
      await this.#rateLimit.take(this.#o.clock);
      const step = await this.#sendPatch();
      switch (step) {
        case 'accepted':
        case 'nothing':
          continue;
        case 'stop':
          return 'done';
        case 'range-mismatch':
          await this.#o.clock.sleep(this.#intervalMs);
          continue;
        case 'failed':
          await this.#o.clock.sleep(this.#intervalMs);
          return 'failed';
      }
    }
    return 'done';
  }

  #traceState(): { traceComplete: boolean; traceProblem: string | null } {
    return {
      traceComplete: !this.#stoppedByServer && this.#offset.isComplete(this.#o.source.length),
      traceProblem: this.#offset.lost,
    };
  }

  async #run(): Promise<void> {
    const { clock } = this.#o;
    while (this.#state === 'running' && this.#aborted === null) {
      const at = this.#nextActionAt();
      const now = clock.now();
      if (at > now) {
        const wake = new AbortController();
        this.#wake = wake;
        try {
          await clock.sleep(at - now, wake.signal);
        } catch {
          // woken by notify() or stop()
        }
        this.#wake = null;
        continue;
      }
      this.#rateLimit.record(now);
      if (this.#hasTraceToSend()) await this.#sendPatch();
      else await this.#keepAlive();
    }
  }

  #nextActionAt(): number {
    const now = this.#o.clock.now();
    const notBefore = Math.max(this.#retryNotBefore, this.#rateLimit.nextSlot(now));
    if (this.#hasTraceToSend()) {
      const cadence = this.#lastPatchFull
        ? this.#lastPatchAt
        : this.#lastPatchAt + this.#o.liveIntervalMs;
      return Math.max(notBefore, cadence);
    }
    // While the script is silent, ask at the server's update interval (3 s while someone watches
    // the job page) whether the job was canceled, not only every 30 s: a cancel must land promptly.
    const idle = Math.min(this.#o.forceSendIntervalMs, this.#intervalMs);
    return Math.max(notBefore, this.#lastContactAt + idle);
  }

  #hasTraceToSend(): boolean {
    return !this.#stoppedByServer && this.#offset.nextStart(this.#o.source.length) !== null;
  }

  async #sendPatch(): Promise<PatchStep> {
    const { clock, source } = this.#o;
    const start = this.#offset.nextStart(source.length);
    if (start === null) return 'nothing';
    const chunk = source.read(start, this.#o.maxPatchSize);
    if (chunk.length === 0) return 'nothing';
    this.#lastPatchAt = clock.now();
    this.#lastPatchFull = chunk.length >= this.#o.maxPatchSize;
    this.#inFlightEnd = start + chunk.length;
    const result = await patchTrace(this.#o.client, {
      jobId: this.#o.jobId,
      jobToken: this.#o.jobToken,
      offset: start,
      body: chunk,
      debugTrace: this.#o.debugTrace,
    }).finally(() => (this.#inFlightEnd = null));
    this.#noteResponse(result);
    return this.#applyPatchResult(start, chunk.length, result);
  }

  #applyPatchResult(start: number, length: number, result: PatchTraceResult): PatchStep {
    const now = this.#o.clock.now();
    if (result.jobStatus) this.#seeJobStatus(result.jobStatus, true);
    switch (result.kind) {
      case 'accepted': {
        const end = result.remoteOffset ?? result.sentOffset;
        this.#track(() => this.#offset.accepted(end, this.#o.source.length));
        this.#succeeded(now);
        return 'accepted';
      }
      case 'range-mismatch':
        this.#lastContactAt = now;
        if (result.inDoubt) this.#offset.inDoubt(start + length);
        this.#track(() => {
          const outcome = this.#offset.mismatch(start, result.remoteOffset, this.#o.source.length);
          if (outcome === 'retry-later') this.#retryNotBefore = now + this.#intervalMs;
        });
        return 'range-mismatch';
      case 'forbidden':
        this.#stoppedByServer = true;
        this.#abort('forbidden');
        return 'stop';
      case 'not-found':
        // Ignore this time (docs/runner-protocol.md §6.3); in the final flush, stop sending trace.
        this.#retryNotBefore = now + this.#intervalMs;
        if (this.#state === 'finishing') this.#stoppedByServer = true;
        return 'stop';
      case 'failed':
        if (result.inDoubt) this.#offset.inDoubt(start + length);
        this.#lastFailure = result.message;
        this.#failed(now);
        return 'failed';
    }
  }

  /** Run an offset update; if it loses the offset, tell the runner (not during the final update). */
  #track(update: () => unknown): void {
    const before = this.#offset.lost;
    update();
    const lost = this.#offset.lost;
    const callback = this.#o.onTraceLost;
    if (lost && !before && callback && this.#state !== 'finishing') {
      queueMicrotask(() => callback(lost));
    }
  }

  async #keepAlive(): Promise<void> {
    const result = await updateJob(this.#o.client, {
      jobId: this.#o.jobId,
      jobToken: this.#o.jobToken,
      info: this.#o.info,
      state: 'running',
      output: this.#summary(),
    });
    this.#noteResponse(result);
    const now = this.#o.clock.now();
    if (result.jobStatus) this.#seeJobStatus(result.jobStatus, true);
    switch (result.kind) {
      case 'succeeded':
      case 'accepted':
        this.#succeeded(now);
        return;
      case 'aborted':
        this.#abort(result.reason);
        return;
      case 'trace-validation-failed':
      case 'failed':
        // Keep-alive failures are ignored (docs/runner-protocol.md §7.3); try again after a pause.
        this.#failed(now);
        return;
    }
  }

  #summary(): TraceSummary {
    return { checksum: this.#o.source.checksum(), bytesize: this.#o.source.length };
  }

  #succeeded(now: number): void {
    this.#lastContactAt = now;
    this.#failures = 0;
  }

  #failed(now: number): void {
    this.#failures++;
    this.#retryNotBefore = now + Math.min(this.#intervalMs, 1000 * 2 ** (this.#failures - 1));
  }

  #noteResponse(result: PatchTraceResult | UpdateJobResult): void {
    const now = this.#o.clock.now();
    this.#rateLimit.record(now, result.attempts - 1);
    if (result.updateIntervalMs !== null) {
      this.#intervalMs = Math.min(result.updateIntervalMs, MAX_UPDATE_INTERVAL_MS);
    }
  }

  #seeJobStatus(status: string, act: boolean): void {
    if (status !== this.#lastJobStatus) {
      this.#lastJobStatus = status;
      const callback = this.#o.onJobStatus;
      if (callback) queueMicrotask(() => callback(status));
    }
    if (!act || this.#state === 'finishing') return;
    if (status === 'canceling' && !this.#cancelRequested) {
      this.#cancelRequested = true;
      const callback = this.#o.onCancelRequested;
      if (callback) queueMicrotask(callback);
    } else if (status === 'canceled' || status === 'failed') {
      this.#abort(status);
    }
  }

  #abort(reason: AbortReason): void {
    if (this.#aborted) return;
    this.#aborted = reason;
    this.#wake?.abort();
    const callback = this.#o.onAbort;
    if (callback && this.#state !== 'finishing') queueMicrotask(() => callback(reason));
  }
}
