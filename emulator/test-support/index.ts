/** Fixtures and plain-HTTP helpers for emulator tests. */
export { ciConfigError, PUSH_TO_MAIN } from './ci-config-error.ts';
export { insertJob, insertPipeline, insertProject, insertSimpleJob } from './fixtures.ts';
export { pipelineJobs } from './pipeline-jobs.ts';
export { patchTrace, requestJob, runnerInfo, sendJson, updateJob } from './runner-http.ts';
export { TestClock } from './test-clock.ts';
export { testRunner } from './test-runner.ts';
