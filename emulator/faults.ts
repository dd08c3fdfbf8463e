/**
 * Fault injection per endpoint, so tests can prove the runner survives what networks and GitLab
 * do to it (docs/runner-protocol.md §1.5, §6.3, §14): error statuses, 429 with `Retry-After`, dropped connections, slow
 * answers, spurious 416s and lost responses (applied, but the answer never arrives).
 * `server.ts` applies faults to API routes; the git route takes its own with `take('git')`.
 */

/** Endpoint names faults attach to. */
export const FAULT_ENDPOINTS = [
  'jobs/request',
  'jobs/update',
  'jobs/trace',
  'artifacts/upload',
  'artifacts/download',
  'runners/verify',
  'git',
] as const;
export type FaultEndpoint = (typeof FAULT_ENDPOINTS)[number];

export const FAULT_KINDS = ['status', 'drop', 'slow', 'spurious-416', 'lost-response'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** What to inject. */
export interface FaultSpec {
  endpoint: FaultEndpoint;
  kind: FaultKind;
  /** How many requests it hits before it is used up. Default 1. */
  times?: number;
  /**
   * How many matching requests it lets through untouched before its first hit. Default 0. A test
   * can let a job's first trace PATCH land and refuse the next one.
   */
  after?: number;
  /** `status` only: the status to answer. Default 500. */
  status?: number;
  /** `status` only: a `Retry-After` value in seconds (sent with 429/503 when given). */
  retryAfter?: number;
  /** `slow` only: delay before the normal answer, in ms. Default 1000. */
  delayMs?: number;
  /** Only requests for this job id (path `:id`) are hit; other jobs pass untouched. */
  jobId?: number;
}

/** An armed fault and how many hits it has left. */
export interface Fault extends Required<Pick<FaultSpec, 'endpoint' | 'kind'>> {
  id: number;
  remaining: number;
  /** Matching requests still to let through before the first hit. */
  after: number;
  status: number;
  retryAfter: number | null;
  delayMs: number;
  jobId: number | null;
}

export class Faults {
  #faults: Fault[] = [];
  #nextId = 1;

  /** Arm a fault; returns it (its `remaining` counts down as requests hit it). */
  add(spec: FaultSpec): Fault {
    if (!FAULT_ENDPOINTS.includes(spec.endpoint)) {
      throw new RangeError(`unknown fault endpoint ${String(spec.endpoint)}`);
    }
    if (!FAULT_KINDS.includes(spec.kind)) {
      throw new RangeError(`unknown fault kind ${String(spec.kind)}`);
    }
    const fault: Fault = {
      id: this.#nextId++,
      endpoint: spec.endpoint,
      kind: spec.kind,
      remaining: Math.max(1, spec.times ?? 1),
      after: Math.max(0, spec.after ?? 0),
      status: spec.status ?? 500,
      retryAfter: spec.retryAfter ?? null,
      delayMs: spec.delayMs ?? 1000,
      jobId: spec.jobId ?? null,
    };
    this.#faults.push(fault);
    return fault;
  }

  /**
   * Use up one hit of the first fault armed for `endpoint` (and this job, when the fault names
   * one), or one of the requests it lets through first. Returns undefined when no fault applies:
   * the request is served normally.
   */
  take(endpoint: FaultEndpoint, jobId?: number): Fault | undefined {
    const fault = this.#faults.find(
      (f) => f.endpoint === endpoint && (f.jobId === null || f.jobId === jobId),
    );
    if (!fault) return undefined;
    if (fault.after > 0) {
      fault.after -= 1;
      return undefined;
    }
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.#faults = this.#faults.filter((f) => f !== fault);
    return { ...fault };
  }

  /** Armed faults, oldest first. */
  list(): Fault[] {
    return this.#faults.map((f) => ({ ...f }));
  }

  /** Disarm everything. */
  clear(): void {
    this.#faults = [];
  }
}
