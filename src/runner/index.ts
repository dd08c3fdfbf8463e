/**
 * The runner area: the poll loop, one job's lifecycle and the events a UI subscribes to.
 * The tab and the CLI import from here only.
 */
export { Runner, type RunnerOptions, type StopMode } from './runner.ts';
export type { JobReport } from './job-run/report.ts';
export type { SourcesProvider } from './job-run/options.ts';
export { createSourcesProvider, sourcesRequest } from './sources-provider.ts';
export { Emitter } from './emitter.ts';
export type {
  JobResult,
  JobSummary,
  JobTransfer,
  RunnerEvent,
  RunnerState,
  StageTiming,
} from './events.ts';
export { TABRUNNER_REVISION, TABRUNNER_VERSION } from './version.ts';
