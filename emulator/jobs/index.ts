/** Job lifecycle in the emulator: scheduling, transitions, timeouts, failure reasons. */
export {
  acceptJob,
  assignJob,
  cancelJob,
  dropJob,
  finishJob,
  isFinished,
  isProcessing,
  managerOf,
  type FinishDetails,
} from './job-transitions.ts';
export { playJob } from './play-job.ts';
export { canPick, missingFeatures, pickJob } from './pick-job.ts';
export { isRetryable, retryJob } from './retry-job.ts';
export { cancelPipeline, isCancelable } from './cancel-pipeline.ts';
export { ONLINE_CONTACT_MS, stuckMessage } from './stuck.ts';
export { expireTimedOutJobs, watchJobTimeouts } from './job-timeouts.ts';
export {
  GITLAB_FAILURE_REASONS,
  recordedFailureReason,
  type GitLabFailureReason,
} from './failure-reasons.ts';
