/**
 * `PUT /jobs/:id` (docs/runner-protocol.md §7): acceptance (`running` right after pickup,
 * two-phase commit docs/runner-protocol.md §7.5), keep-alive (`running` with output), and the final state.
 * `Job-Status: canceled|failed` on any answer means abort and is checked first (docs/runner-protocol.md §7.3).
 */
import type { GitLabClient } from './client.ts';
import { JOB_TOKEN } from './headers.ts';
import { discard, errorMessage, jobStatusOf, updateIntervalOf } from './response.ts';
import type { RunnerInfo } from './runner-info.ts';

export type JobState = 'pending' | 'running' | 'success' | 'failed';

export interface TraceSummary {
  /** `crc32:` + 8 lowercase hex digits over the whole trace (docs/runner-protocol.md §6.6). */
  checksum: string;
  bytesize: number;
}

export interface UpdateJobOptions {
  jobId: number;
  jobToken: string;
  info: RunnerInfo;
  state: JobState;
  /** Sent only with `failed`; already mapped to a value this GitLab knows (docs/runner-protocol.md §12.3). */
  failureReason?: string;
  /** The script's exit code, sent only when non-zero (docs/runner-protocol.md §7.1). */
  exitCode?: number;
  /** Omit for the acceptance PUT (`output: {}`). */
  output?: TraceSummary;
  signal?: AbortSignal;
  /** Send with `fetch` keepalive, so the report survives the page closing. */
  keepalive?: boolean;
}

interface Remote {
  /** `Job-Status`, or `null` when absent or hidden by CORS. */
  jobStatus: string | null;
  /** `X-GitLab-Trace-Update-Interval` in ms, or `null` (absent, invalid or hidden). */
  updateIntervalMs: number | null;
  /** Requests made, retries included (for rate accounting). */
  attempts: number;
}

export type UpdateJobResult = Remote &
  (
    | /** 200. `jobStatus === 'canceling'` asks for a graceful cancel (docs/runner-protocol.md §6.4). */
      { kind: 'succeeded' }
      /** 202: accepted, not complete (trace still being persisted); wait the interval, PUT again. */
    | { kind: 'accepted' }
    /** 412: GitLab wants the whole trace again from offset 0 (`trace_reset`), then a new PUT. */
    | { kind: 'trace-validation-failed' }
    /**
     * `Job-Status: canceled|failed` (any HTTP status), 403 or 404: stop everything. `status` is
     * the HTTP status: a final PUT answered 200 + `Job-Status: failed` was applied.
     */
    | { kind: 'aborted'; reason: 'canceled' | 'failed' | 'forbidden' | 'not-found'; status: number }
    /** Anything else, after the retry layer; `status: null` when there was no response. */
    | { kind: 'failed'; status: number | null; message: string }
  );

export async function updateJob(
  client: GitLabClient,
  options: UpdateJobOptions,
): Promise<UpdateJobResult> {
  const body: Record<string, unknown> = {
    info: options.info,
    token: options.jobToken,
    state: options.state,
  };
  if (options.failureReason) body['failure_reason'] = options.failureReason;
  if (options.output) body['checksum'] = options.output.checksum;
  body['output'] = options.output
    ? { checksum: options.output.checksum, bytesize: options.output.bytesize }
    : {};
  if (options.exitCode) body['exit_code'] = options.exitCode;

  const result = await client.send({
    method: 'PUT',
    path: `jobs/${options.jobId}`,
    headers: { [JOB_TOKEN]: options.jobToken },
    json: body,
    signal: options.signal,
    keepalive: options.keepalive,
  });
  if (result.kind === 'network-error') {
    return {
      kind: 'failed',
      status: null,
      message: result.message,
      jobStatus: null,
      updateIntervalMs: null,
      attempts: result.attempts,
    };
  }
  const { response, attempts } = result;
  client.observeHeaders(response, response.status === 200);
  const remote: Remote = {
    jobStatus: jobStatusOf(response),
    updateIntervalMs: updateIntervalOf(response),
    attempts,
  };
  if (remote.jobStatus === 'canceled' || remote.jobStatus === 'failed') {
    await discard(response);
    return { kind: 'aborted', reason: remote.jobStatus, status: response.status, ...remote };
  }
  switch (response.status) {
    case 200:
      await discard(response);
      return { kind: 'succeeded', ...remote };
    case 202:
      await discard(response);
      return { kind: 'accepted', ...remote };
    case 412:
      await discard(response);
      return { kind: 'trace-validation-failed', ...remote };
    case 403:
      await discard(response);
      return { kind: 'aborted', reason: 'forbidden', status: 403, ...remote };
    case 404:
      await discard(response);
      return { kind: 'aborted', reason: 'not-found', status: 404, ...remote };
    default:
      return {
        kind: 'failed',
        status: response.status,
        message: await errorMessage(response),
        ...remote,
      };
  }
}
