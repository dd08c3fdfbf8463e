/**
 * A GitLab job as the trace endpoints see it (docs/runner-protocol.md §6.2, §7, §13), for trace sender tests: it stores
 * trace bytes, appends only at the stored length, answers 416 with `Range` otherwise, and can
 * inject the faults the runner must survive. `exposeHeaders: false` hides the protocol headers
 * as GitLab's CORS policy does in a browser (docs/runner-protocol.md §14.1).
 */
import type { Clock } from '../../platform/clock.ts';
import type { RecordedRequest, Reply } from './scripted-server.ts';

export type TraceFault =
  /** 503 before touching the trace. */
  | 'error-before'
  /** Store the bytes, then answer 502 (a proxy lost GitLab's answer). */
  | 'error-after'
  /** Drop the connection without storing. */
  | 'drop-before'
  /** Store the bytes, then drop the connection (a lost response). */
  | 'lost-response'
  /** 416 with the true Range, storing nothing. */
  | 'spurious-416'
  /** Answer normally after 30 ms of real time. */
  | 'slow';

export interface Arrival {
  method: string;
  at: number;
  contentRange?: string;
  json?: unknown;
}

export class FakeTraceJob {
  trace = Buffer.alloc(0);
  status = 'running';
  exposeHeaders = true;
  interval = '3';
  /** Consumed one per PATCH. */
  patchFaults: TraceFault[] = [];
  /** Replies for final PUTs (success/failed), consumed in order; then 200. */
  finalReplies: Reply[] = [];
  /** Replies for running PUTs, consumed in order; then 200. */
  runningReplies: Reply[] = [];
  arrivals: Arrival[] = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    readonly clock: Clock,
    readonly jobId = 10,
    readonly token = 'job-token',
  ) {}

  #headers(extra: Record<string, string>): Record<string, string> {
    if (!this.exposeHeaders) return {};
    return { 'Job-Status': this.status, 'X-GitLab-Trace-Update-Interval': this.interval, ...extra };
  }

  async handle(req: RecordedRequest): Promise<Reply> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      return await this.#handle(req);
    } finally {
      this.inFlight--;
    }
  }

  async #handle(req: RecordedRequest): Promise<Reply> {
    const arrival: Arrival = { method: req.method, at: this.clock.now() };
    this.arrivals.push(arrival);
    if (req.headers['job-token'] !== this.token) return { status: 403 };
    if (req.method === 'PATCH' && req.path === `/api/v4/jobs/${this.jobId}/trace`) {
      const range = String(req.headers['content-range'] ?? '');
      arrival.contentRange = range;
      const match = /^(\d+)-(\d+)$/.exec(range);
      if (!match || req.headers['content-type'] !== 'text/plain') return { status: 400 };
      if (Number(match[2]) !== Number(match[1]) + req.body.length - 1) return { status: 400 };
      if (this.status !== 'running' && this.status !== 'canceling') {
        return { status: 403, headers: this.#headers({}) };
      }
      const fault = this.patchFaults.shift();
      if (fault === 'slow') await new Promise((r) => setTimeout(r, 30));
      if (fault === 'error-before') return { status: 503 };
      if (fault === 'drop-before') return { status: 0, drop: true };
      if (fault === 'spurious-416')
        return { status: 416, headers: this.#headers({ Range: `0-${this.trace.length}` }) };
      const start = Number(match[1]);
      if (start !== this.trace.length) {
        return { status: 416, headers: this.#headers({ Range: `0-${this.trace.length}` }) };
      }
      this.trace = Buffer.concat([this.trace, req.body]);
      if (fault === 'error-after') return { status: 502 };
      if (fault === 'lost-response') return { status: 0, drop: true };
      return { status: 202, headers: this.#headers({ Range: `0-${this.trace.length}` }) };
    }
    if (req.method === 'PUT' && req.path === `/api/v4/jobs/${this.jobId}`) {
      const body = req.json as { state?: string; token?: string };
      arrival.json = body;
      if (body.token !== this.token) return { status: 403 };
      if (this.status !== 'running' && this.status !== 'canceling')
        return { status: 403, headers: this.#headers({}) };
      if (body.state === 'running')
        return this.runningReplies.shift() ?? { status: 200, headers: this.#headers({}) };
      const reply = this.finalReplies.shift();
      if (reply) return reply;
      this.status = this.status === 'canceling' ? 'canceled' : String(body.state);
      return { status: 200, headers: this.#headers({}) };
    }
    return { status: 404 };
  }

  get patches(): Arrival[] {
    return this.arrivals.filter((a) => a.method === 'PATCH');
  }

  get puts(): Arrival[] {
    return this.arrivals.filter((a) => a.method === 'PUT');
  }
}

/** An in-memory `TraceSource` with a CRC-32 (zlib's) checksum. */
export class MemoryTrace {
  #bytes = Buffer.alloc(0);

  constructor(readonly crc32: (data: Uint8Array) => number) {}

  write(text: string | Uint8Array): void {
    this.#bytes = Buffer.concat([this.#bytes, typeof text === 'string' ? Buffer.from(text) : text]);
  }

  get length(): number {
    return this.#bytes.length;
  }

  get bytes(): Buffer {
    return this.#bytes;
  }

  read(offset: number, max: number): Uint8Array {
    return new Uint8Array(this.#bytes.subarray(offset, offset + max));
  }

  checksum(): string {
    return `crc32:${this.crc32(this.#bytes).toString(16).padStart(8, '0')}`;
  }
}
