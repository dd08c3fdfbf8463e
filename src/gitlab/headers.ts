/**
 * Header names of the runner API, written once (docs/runner-protocol.md §1.2, §1.3, §3, §6, §7).
 * `Headers` lookups are case-insensitive, so the spelling here is GitLab's, for readability.
 */

/** Runner authentication token, also sent in the JSON body (docs/runner-protocol.md §1.2). */
export const RUNNER_TOKEN = 'RUNNER-TOKEN';
/** Job token on trace, job update and artifact calls (docs/runner-protocol.md §1.2). */
export const JOB_TOKEN = 'JOB-TOKEN';
/** Personal access token, only for resetting a runner token by id (docs/runner-protocol.md §2.6). */
export const PRIVATE_TOKEN = 'PRIVATE-TOKEN';
/** 32 lowercase hex characters per request (docs/runner-protocol.md §1.3). */
export const REQUEST_ID = 'X-Request-Id';
export const USER_AGENT = 'User-Agent';
export const ACCEPT = 'Accept';
export const CONTENT_TYPE = 'Content-Type';
/** GitLab's non-RFC form `start-end`, end inclusive (docs/runner-protocol.md §6.1). */
export const CONTENT_RANGE = 'Content-Range';

/** `0-<length>` on PATCH 202 and 416: the number after the dash is the next offset (docs/runner-protocol.md §6.3). */
export const RANGE = 'Range';
/** The job's status after the call, on PATCH 202 and PUT responses (docs/runner-protocol.md §6.4). */
export const JOB_STATUS = 'Job-Status';
/** Seconds between trace updates the server asks for (docs/runner-protocol.md §6.5). */
export const TRACE_UPDATE_INTERVAL = 'X-GitLab-Trace-Update-Interval';
/** Opaque queue version for long polling (docs/runner-protocol.md §3.3). */
export const LAST_UPDATE = 'X-GitLab-Last-Update';
/** Seconds to wait before retrying (docs/runner-protocol.md §1.5). */
export const RETRY_AFTER = 'Retry-After';
/** RFC 1123 date after which to retry (docs/runner-protocol.md §1.5). */
export const RATE_LIMIT_RESET_TIME = 'RateLimit-ResetTime';

/**
 * Response headers a runner needs and a browser can only read when the server exposes them
 * through CORS (docs/runner-protocol.md §14.1). Seeing any of them proves the relay exposes them.
 */
export const PROTOCOL_RESPONSE_HEADERS = [
  JOB_STATUS,
  RANGE,
  TRACE_UPDATE_INTERVAL,
  LAST_UPDATE,
] as const;

export const JSON_MEDIA_TYPE = 'application/json';
