/**
 * `POST /jobs/request` (docs/runner-protocol.md §3): ask for a job. With a `lastUpdate` from an
 * earlier answer, Workhorse may hold the request for its long-polling duration (50 s by default)
 * and answer 204 without a new value (docs/runner-protocol.md §3.3); send it only when `X-GitLab-Last-Update` is
 * readable. The payload is validated at this edge (`parseJobPayload`).
 */
import type { GitLabClient } from './client.ts';
import { LAST_UPDATE, RUNNER_TOKEN } from './headers.ts';
import { parseJobPayload, type ParsedJob } from './job-payload.ts';
import { discard, failed, readJson, type Failed } from './response.ts';
import type { RunnerInfo } from './runner-info.ts';

export interface RequestJobOptions {
  token: string;
  systemId: string;
  info: RunnerInfo;
  /** The most recent non-empty `X-GitLab-Last-Update` seen for this URL and token. */
  lastUpdate?: string | null;
  /** Abort a long poll (e.g. on stop): the call then rejects with the signal's reason. */
  signal?: AbortSignal;
}

export type RequestJobResult =
  /**
   * 201. `job.ok === false` means the payload was malformed: report that job as failed (when
   * `job.job` names it) and keep running.
   */
  | { kind: 'job'; job: ParsedJob; lastUpdate: string | null }
  /**
   * 204. `lastUpdate` is the new `X-GitLab-Last-Update`, or `null` when absent (long-poll
   * timeout, or hidden by CORS): keep the previous value then, never clear it (docs/runner-protocol.md §3.3).
   */
  | { kind: 'no-job'; lastUpdate: string | null }
  /** 403: the runner token is invalid or the runner was deleted (unhealthy, docs/runner-protocol.md §3.2). */
  | { kind: 'forbidden' }
  /** 409: a scheduling race; try again (healthy). */
  | { kind: 'conflict' }
  | Failed;

export async function requestJob(
  client: GitLabClient,
  { token, systemId, info, lastUpdate, signal }: RequestJobOptions,
): Promise<RequestJobResult> {
  const body: Record<string, unknown> = { info, token };
  if (systemId) body['system_id'] = systemId;
  if (lastUpdate) body['last_update'] = lastUpdate;
  const result = await client.send({
    method: 'POST',
    path: 'jobs/request',
    headers: { [RUNNER_TOKEN]: token },
    json: body,
    acceptJson: true,
    signal,
  });
  if (result.kind === 'network-error') return failed(result);
  const { response } = result;
  const newLastUpdate = response.headers.get(LAST_UPDATE) || null;
  switch (response.status) {
    case 201: {
      const decoded = await readJson(response);
      if (!decoded.ok) return { kind: 'failed', status: 201, message: decoded.message };
      return { kind: 'job', job: parseJobPayload(decoded.value), lastUpdate: newLastUpdate };
    }
    case 204:
      await discard(response);
      return { kind: 'no-job', lastUpdate: newLastUpdate };
    case 403:
      await discard(response);
      return { kind: 'forbidden' };
    case 409:
      await discard(response);
      return { kind: 'conflict' };
    default:
      return failed(result);
  }
}
