/**
 * Test support: a finished job as the History keeps it, for the suites that fill the app store
 * (the History list, its badge, saving in a long-running tab). Job N finished after job N-1.
 */
import type { HistoryEntry } from '../../tab/app-store.ts';

/** When job 0 would have started; job N starts N × 1,000,000 ms later. */
export const HISTORY_T0 = Date.UTC(2026, 0, 15, 9, 30, 0);

/** Job `jobId`, passed; `overrides` win, and a `log` given there sets `logBytes` too. */
export function historyEntry(jobId: number, overrides: Partial<HistoryEntry> = {}): HistoryEntry {
  const log = overrides.log ?? new TextEncoder().encode(`log of job ${jobId}\n`);
  return {
    key: `https://gitlab.example.com#${jobId}`,
    jobId,
    name: `job-${jobId}`,
    stage: 'test',
    projectPath: 'group/project',
    pipelineId: 900 + jobId,
    url: `https://gitlab.example.com/group/project/-/jobs/${jobId}`,
    result: 'success',
    failureReason: null,
    startedAt: HISTORY_T0 + jobId * 1_000_000,
    finishedAt: HISTORY_T0 + jobId * 1_000_000 + 1_500,
    stages: [
      { name: 'get_sources', startedAt: 0, finishedAt: 1_200 },
      { name: 'step_script', startedAt: 1_200, finishedAt: 1_500 },
    ],
    reported: true,
    systemId: 's_0123456789ab',
    logBytes: log.length,
    ...overrides,
    log,
  };
}
