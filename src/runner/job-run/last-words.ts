/**
 * What the runner sends when its host goes away mid-job (the tab closes, docs/runner-protocol.md
 * §7.6): the trace GitLab lacks, closing line included, in one keepalive PATCH, then the job's
 * final state in one keepalive PUT. Both leave synchronously, in that order, and outlive the
 * page; nothing waits for an answer.
 */
import { patchTrace, updateJob, type GitLabClient, type RunnerInfo } from '../../gitlab/index.ts';
import { mapFailureReason } from '../../job/index.ts';
import type { UnsentTrace } from './options.ts';

/**
 * The longest tail sent. Browsers fail a keepalive request once the bodies of all keepalive
 * requests in flight would pass 64 KiB (the Fetch standard's "inflight keepalive bytes"); this
 * leaves room for the PUT with its runner info. A longer tail is not sent at all: GitLab appends
 * a PATCH only at its stored length, so the tail's end cannot go without its start.
 */
export const LAST_PATCH_LIMIT = 48 * 1024;

export interface LastWordsRequest {
  client: GitLabClient;
  info: RunnerInfo;
  job: { id: number; token: string; failureReasons: readonly string[] };
  /** What the job's trace still lacks; `null` when it has no trace yet or GitLab takes no more. */
  unsent: UnsentTrace | null;
}

/** Send the last words; says whether the trace's tail went with them. */
export function sendLastWords({ client, info, job, unsent }: LastWordsRequest): {
  tailSent: boolean;
} {
  const tail = unsent && unsent.bytes.length > 0 ? unsent : null;
  const tailSent = tail !== null && tail.bytes.length <= LAST_PATCH_LIMIT;
  // The PATCH leaves first, but keepalive requests are not ordered: should GitLab take the PUT
  // first, the job is no longer running and the PATCH is refused (403). The tail is then lost,
  // as it was when only the PUT went: never worse.
  if (tail && tailSent) {
    void patchTrace(client, {
      jobId: job.id,
      jobToken: job.token,
      offset: tail.offset,
      body: tail.bytes,
      debugTrace: tail.debugTrace,
      keepalive: true,
    }).catch(() => undefined);
  }
  // No `output` summary: with a checksum GitLab may answer 202 until the trace is persisted and
  // apply the state only when asked again (docs/runner-protocol.md §7.4), and nobody will ask.
  void updateJob(client, {
    jobId: job.id,
    jobToken: job.token,
    info,
    state: 'failed',
    failureReason: mapFailureReason('runner_system_failure', job.failureReasons),
    keepalive: true,
  }).catch(() => undefined);
  return { tailSent };
}
