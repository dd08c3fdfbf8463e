/**
 * The current job as the page shows it: summary, stage, result and the masked log bytes, fed
 * by runner events. The terminal subscribes to the bytes; nothing here knows xterm.
 */
import type {
  JobResult,
  JobSummary,
  JobTransfer,
  RunnerEvent,
  StageTiming,
} from '../../runner/index.ts';

/** Called with each output chunk, or `null` when a new job starts (clear the screen). */
export type OutputListener = (chunk: Uint8Array | null) => void;

/** One artifact GitLab accepted for the current job. */
export interface UploadedArtifactView {
  filename: string;
  artifactType: string;
  files: number;
  bytes: number;
}

export class JobView {
  summary = $state.raw<JobSummary | null>(null);
  startedAt = $state<number | null>(null);
  finishedAt = $state<number | null>(null);
  /** The stage running now (`get_sources`, `step_script`, …). */
  stage = $state<string | null>(null);
  stages = $state.raw<StageTiming[]>([]);
  result = $state<JobResult | null>(null);
  failureReason = $state<string | null>(null);
  reported = $state(true);
  bytes = $state(0);
  /** What this job uploaded, in upload order. */
  artifacts = $state.raw<UploadedArtifactView[]>([]);
  /** The running stage's long work (fetch, archive, upload, download), until the stage ends. */
  transfer = $state.raw<JobTransfer | null>(null);
  running = $derived(this.summary !== null && this.result === null);
  #chunks: Uint8Array[] = [];
  // Subscribers (the terminal), not state: the page never renders this set.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #listeners = new Set<OutputListener>();

  /** Feed one runner event; returns true when it was about the job. */
  handle(event: RunnerEvent): boolean {
    switch (event.type) {
      case 'job-started':
        this.summary = event.job;
        this.startedAt = event.at;
        this.finishedAt = null;
        this.stage = null;
        this.stages = [];
        this.result = null;
        this.failureReason = null;
        this.reported = true;
        this.bytes = 0;
        this.artifacts = [];
        this.transfer = null;
        this.#chunks = [];
        for (const listener of this.#listeners) listener(null);
        return true;
      case 'job-output':
        if (event.jobId !== this.summary?.id) return false;
        this.#chunks.push(event.chunk);
        this.bytes += event.chunk.length;
        for (const listener of this.#listeners) listener(event.chunk);
        return true;
      case 'job-stage':
        if (event.jobId !== this.summary?.id) return false;
        this.stage = event.stage;
        this.transfer = null;
        return true;
      case 'job-transfer':
        if (event.jobId !== this.summary?.id || this.result !== null) return false;
        this.transfer = event.transfer;
        return true;
      case 'job-artifact': {
        if (event.jobId !== this.summary?.id) return false;
        const { filename, artifactType, files, bytes } = event;
        this.artifacts = [...this.artifacts, { filename, artifactType, files, bytes }];
        return true;
      }
      case 'job-finished':
        this.summary = event.job;
        this.result = event.result;
        this.failureReason = event.failureReason;
        this.finishedAt = event.finishedAt;
        this.stages = event.stages;
        this.reported = event.reported;
        this.stage = null;
        this.transfer = null;
        return true;
      default:
        return false;
    }
  }

  /** Receive the log so far, then every new chunk. Returns the unsubscribe function. */
  subscribe(listener: OutputListener): () => void {
    for (const chunk of this.#chunks) listener(chunk);
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The whole log of the current job as sent to GitLab (masked, with timestamps). */
  log(): Uint8Array {
    const out = new Uint8Array(this.bytes);
    let at = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }
}
