/**
 * `PATCH /jobs/:id/trace` (docs/runner-protocol.md §6): append bytes at `offset`.
 * `Content-Range` is GitLab's own `start-end` with the end inclusive (not RFC 7233), and the
 * server appends only when `start` equals its stored length; otherwise it answers 416 with
 * `Range: 0-<stored length>`.
 */
import type { GitLabClient } from './client.ts';
import { GitLabClientUsageError } from './errors.ts';
import { CONTENT_RANGE, JOB_TOKEN } from './headers.ts';
import { discard, errorMessage, jobStatusOf, rangeEndOf, updateIntervalOf } from './response.ts';

/** At most this many bytes per PATCH (the Go runner's `DefaultTracePatchLimit`, docs/runner-protocol.md §6.1). */
export const MAX_TRACE_PATCH_SIZE = 1024 * 1024;

export interface PatchTraceOptions {
  jobId: number;
  jobToken: string;
  /** Offset of `body[0]` in the whole trace. */
  offset: number;
  /** 1 byte to 1 MiB: empty patches are never sent (docs/runner-protocol.md §6.1). */
  body: Uint8Array;
  /** `debug_trace=true` when `CI_DEBUG_TRACE` or `CI_DEBUG_SERVICES` is on. */
  debugTrace: boolean;
  signal?: AbortSignal;
  /** Send with `fetch` keepalive, so the bytes survive the page closing (docs/runner-protocol.md §7.6). */
  keepalive?: boolean;
}

interface Remote {
  jobStatus: string | null;
  updateIntervalMs: number | null;
  attempts: number;
}

export type PatchTraceResult = Remote &
  (
    | /** 202: bytes `offset..sentOffset-1` are stored; `remoteOffset` from `Range` if readable. */
      { kind: 'accepted'; sentOffset: number; remoteOffset: number | null }
      /**
       * 416: nothing written by this attempt; `remoteOffset` is the server's length, `null` if
       * `Range` was hidden. `inDoubt`: an earlier attempt of this call (retried 408/5xx) may have
       * stored the bytes, so the server may hold `offset + body.length`.
       */
    | { kind: 'range-mismatch'; remoteOffset: number | null; inDoubt: boolean }
    /** 403: the job is no longer running (or its token expired): abort (docs/runner-protocol.md §6.3). */
    | { kind: 'forbidden' }
    /** 404: ignore this time; in the final flush, stop sending trace. */
    | { kind: 'not-found' }
    /**
     * Anything else; the data is kept for the next try. `inDoubt`: the server may have stored the
     * bytes although we got no success (network error, 408, 5xx), so the next start offset is
     * uncertain.
     */
    | { kind: 'failed'; status: number | null; message: string; inDoubt: boolean }
  );

/** A 408 or 5xx answer may come from a proxy after GitLab stored the bytes. */
function mayHaveApplied(status: number): boolean {
  return status === 408 || status >= 500;
}

/** GitLab's `Content-Range` value: `start-end`, end inclusive (`0-3` for the first 4 bytes). */
export function contentRange(offset: number, length: number): string {
  return `${offset}-${offset + length - 1}`;
}

export async function patchTrace(
  client: GitLabClient,
  options: PatchTraceOptions,
): Promise<PatchTraceResult> {
  const { body, offset } = options;
  if (body.length === 0 || body.length > MAX_TRACE_PATCH_SIZE) {
    throw new GitLabClientUsageError(
      `a trace patch must hold 1 to ${MAX_TRACE_PATCH_SIZE} bytes, not ${body.length}`,
    );
  }
  if (!Number.isInteger(offset) || offset < 0) {
    throw new GitLabClientUsageError(
      `a trace offset must be a non-negative integer, not ${offset}`,
    );
  }
  const result = await client.send({
    method: 'PATCH',
    path: `jobs/${options.jobId}/trace`,
    query: { debug_trace: String(options.debugTrace) },
    headers: { [JOB_TOKEN]: options.jobToken, [CONTENT_RANGE]: contentRange(offset, body.length) },
    body: new Blob([body.slice()]),
    contentType: 'text/plain',
    signal: options.signal,
    keepalive: options.keepalive,
  });
  if (result.kind === 'network-error') {
    return {
      kind: 'failed',
      status: null,
      message: result.message,
      inDoubt: true,
      jobStatus: null,
      updateIntervalMs: null,
      attempts: result.attempts,
    };
  }
  const { response, attempts } = result;
  const status = response.status;
  const earlierInDoubt = result.retried.some(mayHaveApplied);
  client.observeHeaders(response, status === 202 || status === 416);
  const remote: Remote = {
    jobStatus: jobStatusOf(response),
    updateIntervalMs: updateIntervalOf(response),
    attempts,
  };
  switch (status) {
    case 202:
      await discard(response);
      return {
        kind: 'accepted',
        sentOffset: offset + body.length,
        remoteOffset: rangeEndOf(response),
        ...remote,
      };
    case 416:
      await discard(response);
      return {
        kind: 'range-mismatch',
        remoteOffset: rangeEndOf(response),
        inDoubt: earlierInDoubt,
        ...remote,
      };
    case 403:
      await discard(response);
      return { kind: 'forbidden', ...remote };
    case 404:
      await discard(response);
      return { kind: 'not-found', ...remote };
    default:
      return {
        kind: 'failed',
        status,
        message: await errorMessage(response),
        inDoubt: mayHaveApplied(status) || earlierInDoubt,
        ...remote,
      };
  }
}
