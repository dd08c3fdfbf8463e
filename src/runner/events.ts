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

export type RunnerEvent =
  | { type: 'state'; state: RunnerState }
  | { type: 'contact'; at: number; ok: boolean }
  | { type: 'error'; message: string; fatal: boolean }
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
