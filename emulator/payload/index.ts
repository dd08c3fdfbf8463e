/**
 * Job payloads as GitLab sends them on `POST /jobs/request` (docs/runner-protocol.md §4).
 */
export { buildJobPayload } from './build-job-payload.ts';
export { GITLAB_FAILURE_REASONS as FAILURE_REASONS } from '../jobs/failure-reasons.ts';
export {
  EMULATED_GITLAB_VERSION,
  EMULATED_USER,
  isProtectedRef,
  refName,
  refSlug,
  repoUrl,
} from './predefined-variables.ts';
