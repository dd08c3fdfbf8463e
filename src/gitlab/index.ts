/**
 * @module src/gitlab: the typed client of GitLab's runner API (docs/runner-protocol.md §1–§8).
 * Other areas import only from here.
 */
export {
  createGitLabClient,
  normalizeGitLabUrl,
  isRetriableStatus,
  retryDelayMs,
  type ApiCall,
  type ApiResult,
  type GitLabClient,
  type GitLabClientOptions,
  type HttpMethod,
} from './client.ts';
export { InvalidGitLabUrlError, GitLabClientUsageError, GitLabTimeoutError } from './errors.ts';
export type { Failed } from './response.ts';
export type { RelayRefusal } from './relay-refusal.ts';
export {
  runnerFeatures,
  runnerInfo,
  type RunnerFeatures,
  type RunnerFeaturesOptions,
  type RunnerInfo,
  type RunnerInfoOptions,
} from './runner-info.ts';
export { generateSystemId, isValidSystemId } from './system-id.ts';
export {
  verifyRunner,
  type VerifyRunnerOptions,
  type VerifyRunnerResult,
} from './verify-runner.ts';
export {
  registerRunner,
  type RegisterRunnerOptions,
  type RegisterRunnerResult,
} from './register-runner.ts';
export {
  isAuthenticationToken,
  unregisterManager,
  unregisterRunner,
  type UnregisterResult,
} from './unregister.ts';
export { resetToken, resetTokenWithPat, type ResetTokenResult } from './reset-token.ts';
export { requestJob, type RequestJobOptions, type RequestJobResult } from './request-job.ts';
export {
  updateJob,
  type JobState,
  type TraceSummary,
  type UpdateJobOptions,
  type UpdateJobResult,
} from './update-job.ts';
export {
  contentRange,
  MAX_TRACE_PATCH_SIZE,
  patchTrace,
  type PatchTraceOptions,
  type PatchTraceResult,
} from './patch-trace.ts';
export {
  downloadArtifact,
  uploadArtifact,
  type DownloadArtifactOptions,
  type DownloadArtifactResult,
  type UploadArtifactOptions,
  type UploadArtifactResult,
} from './artifacts.ts';
export {
  DEFAULT_UPDATE_INTERVAL_MS,
  TraceSender,
  type AbortReason,
  type FinishOptions,
  type FinishOutcome,
  type TraceSenderOptions,
  type TraceSource,
} from './trace-sender.ts';
export {
  parseJobPayload,
  jobPayloadSchema,
  type JobPayload,
  type JobVariable,
  type JobStep,
  type JobArtifact,
  type JobCache,
  type JobDependency,
  type JobImage,
  type ParsedJob,
  type UnparsableJob,
} from './job-payload.ts';
