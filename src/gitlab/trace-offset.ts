/**
 * How many trace bytes GitLab holds, as far as the runner can tell (the offset accounting in
 * trace-sender.ts's header). GitLab appends a PATCH only at its stored length, so the sender
 * keeps every length the server may hold: one once a 202 or a `Range` proves it, more while a
 * PATCH's outcome is in doubt. Pure bookkeeping: the sender does the requests and the waiting.
 */

/** What a 416 told us. */
export type MismatchOutcome =
  /** The offset is settled again, or a candidate was ruled out: send at once. */
  | 'resolved'
  /** The 416 contradicted what we know; try again after a pause. */
  | 'retry-later'
  /** Too many contradictions, or the server claims more than the job produced. */
  | 'lost';

const LOST_HINT =
  'the job log on GitLab may be incomplete. Expose the Range header (use the relay) to recover.';

export class TraceOffset {
  readonly #maxUnexplained: number;
  /** Lengths the server may hold, ascending. */
  #candidates: number[] = [0];
  #unexplained = 0;
  #lost: string | null = null;

  constructor(maxUnexplainedMismatches: number) {
    this.#maxUnexplained = maxUnexplainedMismatches;
  }

  /** Bytes GitLab certainly holds, or `null` while that is uncertain. */
  get known(): number | null {
    return this.#candidates.length === 1 ? (this.#candidates[0] ?? null) : null;
  }

  /** Why no more trace can be sent, once the offset is lost. */
  get lost(): string | null {
    return this.#lost;
  }

  /** Where the next PATCH starts: the smallest candidate with bytes after it. */
  nextStart(length: number): number | null {
    if (this.#lost) return null;
    return this.#candidates.find((c) => c < length) ?? null;
  }

  /** GitLab holds exactly the `length` bytes the job produced. */
  isComplete(length: number): boolean {
    return !this.#lost && this.known === length;
  }

  /** A 202: GitLab holds `end` bytes. Returns false when that cannot be true (offset lost). */
  accepted(end: number, length: number): boolean {
    if (end > length) {
      return this.#lose(
        `GitLab acknowledged ${end} bytes of trace but the job produced only ${length}`,
      );
    }
    this.#candidates = [end];
    this.#unexplained = 0;
    return true;
  }

  /** A PATCH ending at `end` may have been applied while its answer was lost. */
  inDoubt(end: number): void {
    if (!this.#candidates.includes(end))
      this.#candidates = [...this.#candidates, end].sort((a, b) => a - b);
  }

  /** A 416 for a PATCH at `start`; `remote` is the server's length when `Range` was readable. */
  mismatch(start: number, remote: number | null, length: number): MismatchOutcome {
    if (remote !== null) {
      if (remote > length) {
        this.#lose(`GitLab holds ${remote} bytes of trace but the job produced only ${length}`);
        return 'lost';
      }
      this.#candidates = [remote];
      this.#unexplained = remote === start ? this.#unexplained + 1 : 0;
    } else {
      const rest = this.#candidates.filter((c) => c !== start);
      if (rest.length > 0) {
        this.#candidates = rest;
        this.#unexplained = 0;
        return 'resolved';
      }
      // Contradicts everything we know: a spurious 416, or a length we cannot explain.
      this.#candidates = [start];
      this.#unexplained++;
    }
    if (this.#unexplained >= this.#maxUnexplained) {
      this.#lose(
        `GitLab rejected the trace offset ${start} ${this.#unexplained} times` +
          (remote === null ? ' without saying its own (the Range header is not readable)' : ''),
      );
      return 'lost';
    }
    return this.#unexplained > 0 ? 'retry-later' : 'resolved';
  }

  /** GitLab dropped the trace (checksum mismatch): everything goes again from byte 0. */
  restart(): void {
    this.#candidates = [0];
    this.#unexplained = 0;
    this.#lost = null;
  }

  #lose(message: string): false {
    this.#lost ??= `${message}; ${LOST_HINT}`;
    return false;
  }
}
