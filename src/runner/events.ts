/**
 * What the runner tells its listeners (the tab's UI, the CLI, tests). Plain data only, so
 * events can cross a worker boundary. Output is always masked before it is emitted.
 */

export type RunnerState =
  'idle' | 'polling' | 'running' | 'paused' | 'stopping' | 'stopped' | 'error';

export type JobResult = 'success' | 'failed' | 'canceled';

export interface JobSummary {
  id: number;
  name: string;
  stage: string;
  projectPath: string;
  pipelineId: number;
  /** Link to the job in GitLab, from `CI_JOB_URL`. */
  url: string;
}

export interface StageTiming {
  name: string;
  startedAt: number;
  finishedAt: number;
}

/**
 * Long work inside a stage, for a progress line: `sources` is get_sources' fetch and checkout,
 * `upload` and `download` are artifacts. Throttled at the source (about one per 100 ms per
 * phase, plus each phase's first and last); names files and jobs, never a token or a URL.
 */
export interface JobTransfer {
  direction: 'sources' | 'upload' | 'download';
  /** The project path (sources), the archive's file name (upload), the dependency's job name. */
  name: string;
  /**
   * sources: connecting → fetching → checkout. upload: collecting → archiving → uploading.
   * download: downloading → extracting.
   */
  phase:
    | 'connecting'
    | 'fetching'
    | 'checkout'
    | 'collecting'
    | 'archiving'
    | 'uploading'
    | 'downloading'
    | 'extracting';
  /** git's own step while fetching, e.g. `Receiving objects`. */
  step?: string;
  /** What `loaded` and `total` count. */
  unit: 'files' | 'bytes' | 'objects';
  loaded: number;
  /**
   * Where `loaded` ends, when known. An upload in flight has none: `fetch` cannot measure a
   * request body, so the tab shows its size and waits for the end rather than a percentage.
   */
  total?: number;
  /** Files done and in all (archiving, extracting). */
  files?: { done: number; total: number };
  /** Archive bytes written (archiving), the archive's size (uploading), bytes received (sources). */
  bytes?: number;
  /** The phase finished. */
  done: boolean;
}

/**
 * What an error is about, when a UI can offer its fix. `runner-token-refused`: GitLab answered
 * 403 to the runner token (deleted runner, reset token, a GitLab that was reset).
 */
export type RunnerErrorCode = 'runner-token-refused';

export type RunnerEvent =
  | { type: 'state'; state: RunnerState }
  /**
   * One request's outcome, from every request to GitLab (see contact-health.ts): `ok` when
   * GitLab answered, else `problem` says what happened instead.
   */
  | { type: 'contact'; at: number; ok: boolean; problem: string }
  | { type: 'error'; message: string; fatal: boolean; code?: RunnerErrorCode }
  | { type: 'job-started'; job: JobSummary; at: number }
  /** Masked trace bytes as they enter the trace buffer (for a live terminal). */
  | { type: 'job-output'; jobId: number; chunk: Uint8Array }
  | { type: 'job-stage'; jobId: number; stage: string; at: number }
  /** An artifact GitLab accepted in `upload_artifacts_on_*` (one per upload, in order). */
  | {
      type: 'job-artifact';
      jobId: number;
      /** The uploaded file's name (`artifacts.zip`, `junit.xml.gz`, …). */
      filename: string;
      /** `archive`, `junit`, `dotenv`, … */
      artifactType: string;
      /** Files in the archive. */
      files: number;
      /** Archive size in bytes. */
      bytes: number;
    }
  /** Progress of the running stage's long work; the stage's end makes it stale. */
  | { type: 'job-transfer'; jobId: number; transfer: JobTransfer }
  | {
      type: 'job-finished';
      job: JobSummary;
      result: JobResult;
      failureReason: string | null;
      exitCode: number | null;
      startedAt: number;
      finishedAt: number;
      stages: StageTiming[];
      /** Whether GitLab accepted the final state (false: it may show the job as stuck). */
      reported: boolean;
    };
