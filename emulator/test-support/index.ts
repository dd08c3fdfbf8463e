/** Fixtures and plain-HTTP helpers for emulator tests. */
export { insertJob, insertPipeline, insertProject, insertSimpleJob } from './fixtures.ts';
export { patchTrace, requestJob, runnerInfo, sendJson, updateJob } from './runner-http.ts';
export { TestClock } from './test-clock.ts';
