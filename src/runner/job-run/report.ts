import type { JobResult } from '../events.ts';

/** What the runner learns from one job. */
export interface JobReport {
  jobId: number;
  result: JobResult;
  /** Runner-side reason (before mapping to what this GitLab accepts). */
  failureReason: string | null;
  exitCode: number | null;
  /** GitLab accepted the final state. */
  reported: boolean;
  /** GitLab took the job back before it started (acceptance refused): nothing ran. */
  dropped?: boolean;
}
