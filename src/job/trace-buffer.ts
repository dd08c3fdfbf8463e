/**
 * The job's trace as GitLab will store it (docs/runner-protocol.md §6.6): valid UTF-8, cut at
 * the output limit with GitLab's notice appended once, and a running CRC-32 of exactly the stored
 * bytes. It receives already-masked bytes; it never sees a secret and never talks HTTP: the
 * trace sender reads ranges from it.
 */
import { crc32, formatChecksum } from '../bytes/index.ts';
import { Utf8Repair } from './utf8-repair.ts';

const EMPTY = new Uint8Array(0);

/** GitLab's default `output_limit`: 4096 KiB. */
export const DEFAULT_TRACE_LIMIT = 4 * 1024 * 1024;

/** The notice the Go runner appends when the limit is hit (docs/runner-protocol.md §6.6), byte for byte. */
export function limitNotice(limit: number): string {
  return (
    `\n\x1b[33;1mJob's log exceeded limit of ${limit} bytes.\n` +
    'Job execution will continue but no more output will be collected.\x1b[0;m\n'
  );
}

/**
 * Small writes are copied into fixed pages rather than one growing array: no copy on growth,
 * and the allocator can reuse freed pages, where a fresh large array costs a page fault per
 * 4 KiB.
 */
const PAGE = 64 * 1024;

/**
 * Writes at least this long (after UTF-8 repair) are kept by reference instead of copied: the
 * buffer then owns them (see `write`). Copying them would cost a copy and, mostly, the first
 * touch of fresh memory; smaller ones are copied so tiny views never pin large arrays.
 */
const BY_REFERENCE = 1024;

export interface TraceBufferOptions {
  /** Bytes of output kept before the notice; later output is dropped. @default 4 MiB */
  limit?: number;
}

export class TraceBuffer {
  readonly limit: number;
  /**
   * The stored bytes in order: arrays kept by reference, and runs copied into a page (views
   * from their first byte to the page's end; a run's length is the gap to the next start).
   */
  #segments: Uint8Array[] = [];
  /** Offset in the trace of each segment's first byte. */
  #starts: number[] = [];
  /**
   * The page small writes are copied into, how much of it is used, and whether the last
   * segment is a run in it that a copy may extend.
   */
  #page: Uint8Array = EMPTY;
  #pageUsed = 0;
  #open = false;
  #length = 0;
  #crc = 0;
  #truncated = false;
  #repair = new Utf8Repair();

  constructor({ limit = DEFAULT_TRACE_LIMIT }: TraceBufferOptions = {}) {
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`invalid trace limit ${limit}`);
    this.limit = limit;
  }

  /**
   * Append output. Invalid UTF-8 becomes U+FFFD; beyond the limit it is silently dropped.
   *
   * The buffer takes ownership of `bytes`: large writes are stored by reference, not copied,
   * so the caller must not modify them afterwards (give fresh arrays, or views of arrays that
   * are never written again, such as the masker's output for a fresh chunk).
   */
  write(bytes: Uint8Array): void {
    if (this.#truncated || bytes.length === 0) return;
    this.#store(this.#repair.write(bytes));
  }

  /** End of output: an unfinished UTF-8 sequence still held is stored as U+FFFD. */
  finish(): void {
    if (!this.#truncated) this.#store(this.#repair.end());
  }

  /** Number of bytes stored (GitLab's `bytesize`). */
  get length(): number {
    return this.#length;
  }

  /** Whether the limit was hit and the notice written. */
  get truncated(): boolean {
    return this.#truncated;
  }

  /**
   * Up to `max` stored bytes from `offset`, for a `PATCH .../trace`. Within one segment this is
   * a view shared with the buffer (stored bytes never change); do not write to it.
   */
  read(offset: number, max: number): Uint8Array {
    const start = Math.max(0, Math.min(offset, this.#length));
    const end = Math.min(this.#length, start + Math.max(0, max));
    if (start === end) return EMPTY;
    let k = this.#segmentAt(start);
    const first = this.#segmentEnd(k);
    const base = this.#starts[k] ?? 0;
    if (end <= first) return this.#segments[k]?.subarray(start - base, end - base) ?? EMPTY;
    const out = new Uint8Array(end - start);
    for (let at = start; at < end; k++) {
      const from = at - (this.#starts[k] ?? 0);
      const take = Math.min(this.#segmentEnd(k), end) - at;
      out.set(this.#segments[k]?.subarray(from, from + take) ?? EMPTY, at - start);
      at += take;
    }
    return out;
  }

  /** All stored bytes. */
  bytes(): Uint8Array {
    return this.read(0, this.#length);
  }

  /** `crc32:xxxxxxxx` over the stored bytes, kept up to date on every write. */
  checksum(): string {
    return formatChecksum(this.#crc);
  }

  #store(valid: Uint8Array): void {
    if (valid.length === 0) return;
    const room = this.limit - this.#length;
    if (valid.length <= room) {
      this.#append(valid);
      return;
    }
    // Cut before a character that would cross the limit, never inside it.
    let cut = room;
    while (cut > 0 && ((valid[cut] ?? 0) & 0xc0) === 0x80) cut--;
    this.#append(valid.subarray(0, cut));
    this.#append(new TextEncoder().encode(limitNotice(this.limit)));
    this.#truncated = true;
  }

  #append(bytes: Uint8Array): void {
    const n = bytes.length;
    if (n === 0) return;
    this.#crc = crc32(bytes, this.#crc);
    if (n >= BY_REFERENCE) {
      this.#segments.push(bytes);
      this.#starts.push(this.#length);
      this.#length += n;
      this.#open = false;
      return;
    }
    for (let at = 0; at < n;) {
      if (this.#pageUsed === this.#page.length) {
        this.#page = new Uint8Array(PAGE);
        this.#pageUsed = 0;
        this.#open = false;
      }
      if (!this.#open) {
        this.#segments.push(this.#page.subarray(this.#pageUsed));
        this.#starts.push(this.#length);
        this.#open = true;
      }
      const take = Math.min(this.#page.length - this.#pageUsed, n - at);
      this.#page.set(take === n ? bytes : bytes.subarray(at, at + take), this.#pageUsed);
      this.#pageUsed += take;
      this.#length += take;
      at += take;
    }
  }

  /** Index of the segment holding trace offset `at` (< length). */
  #segmentAt(at: number): number {
    let lo = 0;
    let hi = this.#starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.#starts[mid] ?? 0) <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Trace offset just past segment `k`. */
  #segmentEnd(k: number): number {
    return this.#starts[k + 1] ?? this.#length;
  }
}
