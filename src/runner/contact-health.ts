/**
 * Whether GitLab answers, judged from every request the runner makes: job requests, trace
 * PATCHes, job updates, artifacts. The poll alone cannot tell: during a job nobody polls, so a
 * GitLab that went away mid-job would stay invisible until the job ended.
 *
 * `observeContact` wraps the `fetch` a GitLab client is given and reports each request's
 * outcome; `ContactHealth` folds outcomes into what a person needs: when GitLab last answered,
 * and since when it has not.
 */

/** One request's outcome. */
export interface ContactOutcome {
  /** When the outcome was known (the answer arrived, or the request failed). */
  at: number;
  /** GitLab (or the relay for it) gave an answer that is not a server error. */
  ok: boolean;
  /** Why it is no contact, e.g. `503 Service Unavailable`; empty when `ok`. */
  problem: string;
}

export interface ContactStatus {
  /** The last time a request got an answer; null before the first. */
  lastContactAt: number | null;
  /** The first failure since the last answer; null while GitLab answers. */
  unreachableSince: number | null;
  /** Requests that failed since the last answer (retries included). */
  failures: number;
  /** What the latest failure was; null while GitLab answers. */
  lastProblem: string | null;
}

/**
 * A server error means the request did not get through to a working GitLab (a relay says 502
 * when GitLab is down). Any other status is an answer: even a 403 proves GitLab is there.
 */
export function isContactStatus(status: number): boolean {
  return status < 500;
}

/** Folds request outcomes into a `ContactStatus`. Pure: time comes with each outcome. */
export class ContactHealth {
  #status: ContactStatus = {
    lastContactAt: null,
    unreachableSince: null,
    failures: 0,
    lastProblem: null,
  };

  get status(): ContactStatus {
    return this.#status;
  }

  record(outcome: ContactOutcome): ContactStatus {
    const previous = this.#status;
    this.#status = outcome.ok
      ? {
          // A slow request may report after a quicker one: contact never moves back in time.
          lastContactAt: Math.max(previous.lastContactAt ?? outcome.at, outcome.at),
          unreachableSince: null,
          failures: 0,
          lastProblem: null,
        }
      : {
          lastContactAt: previous.lastContactAt,
          unreachableSince: previous.unreachableSince ?? outcome.at,
          failures: previous.failures + 1,
          lastProblem: outcome.problem,
        };
    return this.#status;
  }
}

function signalOf(input: RequestInfo | URL, init: RequestInit | undefined): AbortSignal | null {
  if (init?.signal) return init.signal;
  return input instanceof Request ? input.signal : null;
}

/**
 * `fetchImpl`, reporting each request's outcome to `report`. A request its caller aborted
 * (stopping, pausing) says nothing about GitLab and is not reported.
 */
export function observeContact(
  fetchImpl: typeof fetch,
  report: (outcome: ContactOutcome) => void,
  now: () => number,
): typeof fetch {
  return async (input, init) => {
    let response: Response;
    try {
      response = await fetchImpl(input, init);
    } catch (err) {
      if (!signalOf(input, init)?.aborted) {
        const reason = err instanceof Error ? err.message : String(err);
        report({ at: now(), ok: false, problem: `no answer (${reason})` });
      }
      throw err;
    }
    if (isContactStatus(response.status)) {
      report({ at: now(), ok: true, problem: '' });
    } else {
      const text = `${response.status} ${response.statusText}`.trim();
      report({ at: now(), ok: false, problem: text });
    }
    return response;
  };
}
