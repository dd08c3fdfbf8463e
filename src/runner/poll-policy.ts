/**
 * When to ask GitLab for the next job, from what the last answer said (docs/runner-protocol.md §3.2–§3.4). Pure, so the
 * long-polling rules can be tested without a server.
 *
 * GitLab's Workhorse holds `POST /jobs/request` while the runner's `last_update` is current and
 * answers 204 without `X-GitLab-Last-Update` when the queue changes or the hold times out
 * (docs/runner-protocol.md §3.3). A server without long polling answers at once, echoing the header. A browser that
 * cannot read the header cannot long-poll at all (docs/runner-protocol.md §14) and polls at the check interval.
 */

export type PollAnswer =
  | { kind: 'job' }
  | {
      kind: 'no-job';
      /** Whether the next request may carry `last_update` (long polling possible and wanted). */
      longPolling: boolean;
      sentLastUpdate: string | null;
      lastUpdate: string | null;
    }
  | { kind: 'conflict' }
  | { kind: 'failed' };

export interface PollDecision {
  /** Milliseconds to wait before the next request. */
  delayMs: number;
  /** The `last_update` to send next time (null: do not send one). */
  lastUpdate: string | null;
}

export interface PollPolicyOptions {
  checkIntervalMs: number;
  /** Fraction of the interval added or removed at random, so many tabs do not poll in step. */
  jitter: number;
  random: () => number;
}

export function nextPoll(
  answer: PollAnswer,
  previous: string | null,
  options: PollPolicyOptions,
): PollDecision {
  const interval = () =>
    Math.max(
      0,
      Math.round(options.checkIntervalMs * (1 + options.jitter * (options.random() * 2 - 1))),
    );
  switch (answer.kind) {
    case 'job':
      // Drain the queue: ask again at once, as the Go runner does unless strict_check_interval.
      return { delayMs: 0, lastUpdate: previous };
    case 'no-job': {
      const { sentLastUpdate, lastUpdate } = answer;
      if (!answer.longPolling) return { delayMs: interval(), lastUpdate: lastUpdate ?? previous };
      if (sentLastUpdate !== null && lastUpdate === null) {
        // A held long poll ended (queue changed or hold timed out): ask again now.
        return { delayMs: 0, lastUpdate: sentLastUpdate };
      }
      if (lastUpdate !== null && lastUpdate !== sentLastUpdate) {
        // The scheduler ran and found nothing; the next request with this value can be held.
        return { delayMs: 0, lastUpdate };
      }
      // Nothing changed and the server did not hold us (or we cannot long-poll): wait.
      return { delayMs: interval(), lastUpdate: lastUpdate ?? previous };
    }
    case 'conflict':
      return { delayMs: Math.min(1000, interval()), lastUpdate: previous };
    case 'failed':
      return { delayMs: interval(), lastUpdate: previous };
  }
}
